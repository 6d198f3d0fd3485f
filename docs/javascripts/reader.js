// Reader tools: skim (compact) view, keyboard, reading state, filters and the Starred page.
// Everything lives in this browser's localStorage (javascripts/reader-data.js holds the
// state, the paper fields and the exports); nothing is sent anywhere. The page without
// JavaScript is the full page as built: this script only adds. Paper text is untrusted:
// everything inserted goes through textContent.
(function () {
  "use strict";
  var VISIT_GAP_MS = 30 * 60 * 1000; // this long without a page view ends a visit
  var root = document.documentElement;

  var data = window.arxivDigestReaderData; // javascripts/reader-data.js, loaded before
  var STORAGE_KEY = data.STORAGE_KEY;
  var loadState = data.loadState;
  var writeState = data.writeState;
  var score = data.score;
  var exported = data.exported;
  var byMarked = data.byMarked;

  var state = loadState();

  function save() {
    if (!writeState(state)) notify("Could not save: this browser's storage is off or full.");
  }

  function download(name, type, text) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  // ---- Small DOM helpers -------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function button(className, text, label) {
    var node = el("button", "digest-reader__button " + className, text);
    node.type = "button";
    if (label) {
      node.setAttribute("aria-label", label);
      node.title = label;
    }
    return node;
  }

  var status = null;
  function notify(text) {
    if (!status) {
      status = el("div", "digest-reader__status");
      status.setAttribute("role", "status");
      document.body.appendChild(status);
    }
    status.textContent = text;
    status.hidden = false;
    clearTimeout(notify.timer);
    notify.timer = setTimeout(function () { status.hidden = true; }, 2500);
  }

  // ---- Cards: fold, star, read, not interested ---------------------------------------

  var cards = []; // {element, paper, actions}

  function isOpen(card) {
    return card.element.classList.contains("digest-paper--open");
  }

  function setOpen(card, open) {
    card.element.classList.toggle("digest-paper--open", open);
    card.element.classList.toggle("digest-paper--folded", !open);
    card.actions.fold.setAttribute("aria-expanded", open ? "true" : "false");
    card.actions.fold.textContent = open ? "▾" : "▸";
  }

  function now() { return new Date().toISOString(); }

  function mark(list, paper, on) {
    if (on) {
      var record = exported(paper);
      record.marked_at = now();
      state[list][paper.id] = record;
    } else {
      delete state[list][paper.id];
    }
  }

  function toggleStar(card) {
    var on = !state.starred[card.paper.id];
    mark("starred", card.paper, on);
    if (on) mark("notInterested", card.paper, false);
    save();
    refreshCards();
    notify(on ? "Starred" : "Star removed");
  }

  function toggleNotInterested(card) {
    var on = !state.notInterested[card.paper.id];
    mark("notInterested", card.paper, on);
    if (on) mark("starred", card.paper, false);
    save();
    refreshCards();
    notify(on ? "Marked not interested" : "Not interested removed");
  }

  function toggleRead(card) {
    if (state.read[card.paper.id]) delete state.read[card.paper.id];
    else state.read[card.paper.id] = now();
    save();
    refreshCards();
  }

  function pressed(node, on) {
    node.setAttribute("aria-pressed", on ? "true" : "false");
  }

  function refreshCards() {
    cards.forEach(function (card) {
      var id = card.paper.id;
      var starred = !!state.starred[id];
      var read = !!state.read[id];
      var not = !!state.notInterested[id];
      card.element.classList.toggle("digest-paper--starred", starred);
      card.element.classList.toggle("digest-paper--read", read);
      card.element.classList.toggle("digest-paper--not-interested", not);
      pressed(card.actions.star, starred);
      card.actions.star.textContent = starred ? "★" : "☆";
      pressed(card.actions.read, read);
      pressed(card.actions.not, not);
    });
    applyFilters();
  }

  function addActions(card) {
    var bar = el("span", "digest-reader__actions");
    var actions = {
      fold: button("digest-reader__fold", "▸", "Abstract (e)"),
      star: button("digest-reader__star", "☆", "Star (s)"),
      read: button("digest-reader__read", "✓", "Mark read (x)"),
      not: button("digest-reader__not", "⊘", "Not interested (-)")
    };
    bar.appendChild(actions.star);
    bar.appendChild(actions.read);
    bar.appendChild(actions.not);
    card.actions = actions;
    actions.fold.addEventListener("click", function () { setOpen(card, !isOpen(card)); });
    actions.star.addEventListener("click", function () { toggleStar(card); });
    actions.read.addEventListener("click", function () { toggleRead(card); });
    actions.not.addEventListener("click", function () { toggleNotInterested(card); });
    var title = card.element.querySelector(".digest-paper__title");
    // The compact line's right-hand group: type, tags, scores, actions (see placeLine).
    card.line = el("span", "digest-reader__line");
    card.line.appendChild(bar);
    title.parentNode.insertBefore(card.line, title.nextSibling);
    title.parentNode.insertBefore(actions.fold, title);
    card.moved = ["chips", "tags"].map(function (name) {
      var node = card.element.querySelector(".digest-paper__" + name);
      if (!node) return null;
      var home = document.createComment(" " + name + " ");
      node.parentNode.insertBefore(home, node);
      return { node: node, home: home };
    }).filter(Boolean);
    shortenChips(card.element);
    // A click on the card's line (not a link or button) folds or unfolds it, like `e`.
    card.element.addEventListener("click", function (event) {
      if (!root.classList.contains("digest-view-compact")) return;
      if (event.target.closest("a, button, input, select, label, summary, .digest-paper__abstract")) return;
      if (String(window.getSelection())) return; // selecting text is not a click to fold
      setOpen(card, !isOpen(card));
    });
  }

  // "Relevance <strong>9</strong>" -> long and short labels; CSS shows one per view.
  function shortenChips(element) {
    var type = element.querySelector(".digest-chip--type");
    if (type && type.textContent.trim() === "new") type.classList.add("digest-reader__type-new");
    element.querySelectorAll(".digest-chip--relevance, .digest-chip--novelty").forEach(function (chip) {
      var label = chip.firstChild;
      if (!label || label.nodeType !== Node.TEXT_NODE || !label.data.trim()) return;
      var long = el("span", "digest-reader__long", label.data);
      var short = el("span", "digest-reader__short", label.data.trim().charAt(0) + " ");
      short.setAttribute("aria-hidden", "true");
      chip.replaceChild(long, label);
      chip.insertBefore(short, long);
    });
  }

  function registerCard(element, paper) {
    element.tabIndex = -1;
    var card = { element: element, paper: paper };
    addActions(card);
    cards.push(card);
    return card;
  }

  function cardOf(element) {
    for (var i = 0; i < cards.length; i++) if (cards[i].element === element) return cards[i];
    return null;
  }

  // ---- View: compact or full ---------------------------------------------------------

  var viewButton = null;
  var daySummary = null;

  // The compact view groups a card's chips and tags with its actions on the title's line (one
  // item that wraps as a whole); the full view puts them back where the page has them.
  // In the full view the group holds the fold button and actions, top right of the card.
  function placeLine(card, compact) {
    card.moved.forEach(function (part) {
      if (compact) card.line.insertBefore(part.node, card.line.lastChild);
      else part.home.parentNode.insertBefore(part.node, part.home);
    });
    var title = card.element.querySelector(".digest-paper__title");
    if (compact) title.parentNode.insertBefore(card.actions.fold, title);
    else card.line.insertBefore(card.actions.fold, card.line.firstChild);
  }

  function setView(view, remember) {
    root.classList.toggle("digest-view-compact", view === "compact");
    root.classList.toggle("digest-view-full", view === "full");
    cards.forEach(function (card) {
      placeLine(card, view === "compact");
      setOpen(card, view === "full");
    });
    if (daySummary) daySummary.open = view === "full";
    if (viewButton) pressed(viewButton, view === "compact");
    if (remember) {
      state.view = view;
      save();
    }
  }

  // The usage table, totals and contents list sit above the first paper; in the compact
  // view they fold into one line so the first paper starts on the first screen.
  function foldDaySummary(day) {
    var parts = Array.prototype.filter.call(day.children, function (child) {
      return child.matches(".digest-usage, .digest-scorer, .digest-totals, .digest-toc");
    });
    if (!parts.length) return null;
    var details = el("details", "digest-reader__summary");
    var count = day.querySelectorAll("article.digest-paper").length;
    details.appendChild(el("summary", "", "Scores, totals and contents (" + count + " paper" +
      (count === 1 ? "" : "s") + ")"));
    day.insertBefore(details, parts[0]);
    parts.forEach(function (part) { details.appendChild(part); });
    return details;
  }

  // ---- Filters (day pages) -----------------------------------------------------------

  var FILTER_PARAMS = ["tag", "rmin", "nmin", "type", "hideread"];
  var filters = { tag: "", rmin: 0, nmin: 0, type: "", hideRead: false };
  var filterControls = null;
  var countNode = null;

  function readFilters() {
    var params = new URLSearchParams(location.search);
    filters.tag = params.get("tag") || "";
    filters.rmin = score(params.get("rmin")) || 0;
    filters.nmin = score(params.get("nmin")) || 0;
    filters.type = params.get("type") || "";
    filters.hideRead = params.has("hideread") ? params.get("hideread") === "1" : state.hideRead;
  }

  function writeFilters() {
    var params = new URLSearchParams(location.search);
    FILTER_PARAMS.forEach(function (name) { params.delete(name); });
    if (filters.tag) params.set("tag", filters.tag);
    if (filters.rmin) params.set("rmin", String(filters.rmin));
    if (filters.nmin) params.set("nmin", String(filters.nmin));
    if (filters.type) params.set("type", filters.type);
    if (filters.hideRead) params.set("hideread", "1");
    var query = params.toString();
    history.replaceState(history.state, "", location.pathname + (query ? "?" + query : "") + location.hash);
  }

  // Papers kept for a followed author have no scores; score filters keep them (you follow
  // the author to see every paper).
  function passes(card) {
    var paper = card.paper;
    if (filters.tag && paper.tags.indexOf(filters.tag) < 0) return false;
    if (filters.rmin && paper.relevance !== null && paper.relevance < filters.rmin) return false;
    if (filters.nmin && paper.novelty !== null && paper.novelty < filters.nmin) return false;
    if (filters.type && paper.announce_type !== filters.type) return false;
    if (filters.hideRead && (state.read[paper.id] || state.notInterested[paper.id])) return false;
    return true;
  }

  function applyFilters() {
    if (!countNode) return;
    var shown = 0;
    cards.forEach(function (card) {
      var visible = passes(card);
      card.element.hidden = !visible;
      if (visible) shown++;
    });
    countNode.textContent = "Showing " + shown + " of " + cards.length;
    var active = ["tag", "rmin", "nmin", "type"].filter(function (k) { return filters[k]; }).length +
      (filters.hideRead ? 1 : 0);
    filterControls.summary.textContent = active ? "Filters (" + active + ")" : "Filters";
    var current = document.activeElement && document.activeElement.closest &&
      document.activeElement.closest("article.digest-paper");
    if (current && current.hidden) move(1, current);
  }

  function select(name, label, options, value) {
    var wrap = el("label", "digest-reader__field");
    wrap.appendChild(el("span", "", label + " "));
    var node = el("select");
    node.name = name;
    options.forEach(function (option) {
      var item = el("option", "", option[1]);
      item.value = option[0];
      node.appendChild(item);
    });
    node.value = value;
    wrap.appendChild(node);
    return { wrap: wrap, input: node };
  }

  function uniqueSorted(lists) {
    var seen = {};
    lists.forEach(function (list) { list.forEach(function (item) { if (item) seen[item] = true; }); });
    return Object.keys(seen).sort(function (a, b) { return a.localeCompare(b); });
  }

  function buildFilters() {
    var box = el("details", "digest-reader__filters");
    var summary = el("summary", "", "Filters");
    box.appendChild(summary);
    var tags = uniqueSorted(cards.map(function (c) { return c.paper.tags; }).concat([[filters.tag]]));
    var types = uniqueSorted(cards.map(function (c) { return [c.paper.announce_type]; })
      .concat([[filters.type]]));
    var scores = [["0", "any"]];
    for (var n = 10; n >= 1; n--) scores.push([String(n), "≥ " + n]);
    var tag = select("tag", "Tag", [["", "any"]].concat(tags.map(function (t) { return [t, t]; })), filters.tag);
    var rmin = select("rmin", "Relevance", scores, String(filters.rmin));
    var nmin = select("nmin", "Novelty", scores, String(filters.nmin));
    var type = select("type", "Type", [["", "any"]].concat(types.map(function (t) { return [t, t]; })), filters.type);
    var hide = el("label", "digest-reader__field");
    var hideBox = el("input");
    hideBox.type = "checkbox";
    hideBox.name = "hideread";
    hideBox.checked = filters.hideRead;
    hide.appendChild(hideBox);
    hide.appendChild(document.createTextNode(" Hide read"));
    var clear = button("digest-reader__clear", "Clear filters");
    [tag.wrap, rmin.wrap, nmin.wrap, type.wrap, hide, clear].forEach(function (node) {
      box.appendChild(node);
    });
    function changed() {
      filters.tag = tag.input.value;
      filters.rmin = parseInt(rmin.input.value, 10) || 0;
      filters.nmin = parseInt(nmin.input.value, 10) || 0;
      filters.type = type.input.value;
      if (filters.hideRead !== hideBox.checked) {
        filters.hideRead = hideBox.checked;
        state.hideRead = hideBox.checked;
        save();
      }
      writeFilters();
      applyFilters();
    }
    [tag.input, rmin.input, nmin.input, type.input, hideBox].forEach(function (input) {
      input.addEventListener("change", changed);
    });
    clear.addEventListener("click", function () {
      tag.input.value = ""; rmin.input.value = "0"; nmin.input.value = "0"; type.input.value = "";
      hideBox.checked = false;
      changed();
    });
    if (filters.tag || filters.rmin || filters.nmin || filters.type) box.open = true;
    filterControls = { box: box, summary: summary, hide: hideBox };
    return box;
  }

  function buildBar(withFilters) {
    var bar = el("div", "digest-reader__bar");
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Reading tools");
    viewButton = button("digest-reader__view", "Compact");
    viewButton.title = "Compact view: one line per paper (v)";
    viewButton.addEventListener("click", function () {
      setView(root.classList.contains("digest-view-compact") ? "full" : "compact", true);
    });
    var expand = button("digest-reader__expand", "Expand all");
    expand.addEventListener("click", function () { cards.forEach(function (c) { setOpen(c, true); }); });
    var collapse = button("digest-reader__collapse", "Collapse all");
    collapse.addEventListener("click", function () { cards.forEach(function (c) { setOpen(c, false); }); });
    [viewButton, expand, collapse].forEach(function (node) { bar.appendChild(node); });
    if (withFilters) {
      bar.appendChild(buildFilters());
      countNode = el("span", "digest-reader__count");
      countNode.setAttribute("aria-live", "polite");
      bar.appendChild(countNode);
    }
    var help = button("digest-reader__helpbutton", "?", "Keyboard shortcuts (?)");
    help.addEventListener("click", function () { openHelp(help); });
    bar.appendChild(help);
    return bar;
  }

  // ---- Keyboard ----------------------------------------------------------------------

  function visibleCards() {
    return cards.filter(function (card) { return !card.element.hidden; });
  }

  function currentCard() {
    var active = document.activeElement;
    var element = active && active.closest && active.closest("article.digest-paper");
    return element ? cardOf(element) : null;
  }

  function focusCard(card) {
    card.element.focus({ preventScroll: true });
    card.element.scrollIntoView({ block: "nearest" });
  }

  // Next or previous visible paper; from nothing focused, the first paper on screen.
  function move(step, fromElement) {
    var list = visibleCards();
    if (!list.length) return;
    var from = fromElement ? cardOf(fromElement) : currentCard();
    if (from && !fromElement) {
      // Scrolled away from the focused paper (mouse, touch): go on from what is on screen.
      var rect = from.element.getBoundingClientRect();
      if (rect.bottom < 0 || rect.top > window.innerHeight) from = null;
    }
    var index = from ? cards.indexOf(from) : -1;
    var target = null;
    if (index < 0) {
      var header = 56;
      target = list.filter(function (card) {
        return card.element.getBoundingClientRect().bottom > header;
      })[0] || list[list.length - 1];
    } else {
      var ordered = step > 0 ? cards.slice(index + 1) : cards.slice(0, index).reverse();
      target = ordered.filter(function (card) { return !card.element.hidden; })[0];
      if (!target) return;
    }
    focusCard(target);
  }

  function follow(selector) {
    var link = document.querySelector(selector);
    if (link) location.href = link.href;
    return true;
  }

  function openLink(card, href) {
    if (card && href) window.open(href, "_blank", "noopener");
  }

  function focusSearch() {
    var box = document.getElementById("digest-search-q");
    var header = document.querySelector(".digest-header-search__input");
    if (!box && header && header.offsetParent !== null) box = header;
    if (box) {
      box.focus();
      box.select();
    } else if (header) {
      location.href = header.form.action; // phones: the header box is hidden, go to search/
    }
  }

  function withCard(action) {
    return function () {
      var card = currentCard();
      if (card) action(card);
    };
  }

  // Every key, its help line and what it does: the help overlay is built from this list.
  var KEYS = [
    { key: "j", help: "Next paper", run: function () { move(1); } },
    { key: "k", help: "Previous paper", run: function () { move(-1); } },
    { key: "e", help: "Fold or unfold the paper's abstract", run: withCard(function (c) { setOpen(c, !isOpen(c)); }) },
    { key: "o", help: "Open the paper's arXiv page (new tab)", run: withCard(function (c) { openLink(c, c.paper.abs_url); }) },
    { key: "d", help: "Open the paper's PDF (new tab)", run: withCard(function (c) { openLink(c, c.paper.pdf_url); }) },
    { key: "s", help: "Star the paper (Starred page)", run: withCard(toggleStar) },
    { key: "-", help: "Not interested (its opposite)", run: withCard(toggleNotInterested) },
    { key: "x", help: "Mark read or unread", run: withCard(toggleRead) },
    { key: "n", help: "Next (newer) day", dayOnly: true, run: function () { follow(".digest-daynav a[rel=next]"); } },
    { key: "p", help: "Previous (older) day", dayOnly: true, run: function () { follow(".digest-daynav a[rel=prev]"); } },
    { key: "v", help: "Switch compact and full view", run: function () { viewButton && viewButton.click(); } },
    { key: "/", help: "Search", run: focusSearch },
    { key: "?", help: "This help", run: function () { openHelp(document.activeElement); } }
  ];

  function typing(target) {
    if (!target || !target.tagName) return false;
    return /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable;
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (helpOverlay && !helpOverlay.hidden) {
      if (event.key === "Escape" || event.key === "?") {
        event.preventDefault();
        closeHelp();
      } else if (event.key === "Tab") {
        event.preventDefault(); // the dialog has one control: focus stays on it
        helpOverlay.querySelector("button").focus();
      }
      event.stopImmediatePropagation();
      return;
    }
    if (typing(event.target)) return;
    var binding = KEYS.filter(function (k) { return k.key === event.key; })[0];
    if (!binding) return;
    if (binding.dayOnly && !document.querySelector(".digest-daynav")) return; // Material's n/p
    // Ours, not Material's: its window handler would also follow <link rel=next> on n/p.
    event.preventDefault();
    event.stopImmediatePropagation();
    binding.run();
  }

  // ---- Help overlay ------------------------------------------------------------------

  var helpOverlay = null;
  var helpReturn = null;

  function buildHelp() {
    var overlay = el("div", "digest-reader__overlay");
    overlay.hidden = true;
    var dialog = el("div", "digest-reader__help md-typeset");
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-labelledby", "digest-reader-help-title");
    var title = el("h2", "", "Keyboard shortcuts");
    title.id = "digest-reader-help-title";
    dialog.appendChild(title);
    var table = el("table", "digest-reader__keys");
    var body = el("tbody");
    KEYS.forEach(function (binding) {
      var row = el("tr");
      var keyCell = el("td");
      keyCell.appendChild(el("kbd", "", binding.key));
      row.appendChild(keyCell);
      row.appendChild(el("td", "", binding.help));
      body.appendChild(row);
    });
    table.appendChild(body);
    dialog.appendChild(table);
    dialog.appendChild(el("p", "digest-reader__note",
      "Keys do nothing while you type in a box, or with Ctrl, Alt or Cmd. Esc closes this."));
    var close = button("digest-reader__close", "Close");
    close.addEventListener("click", closeHelp);
    dialog.appendChild(close);
    overlay.appendChild(dialog);
    overlay.addEventListener("click", function (event) {
      if (event.target === overlay) closeHelp();
    });
    document.body.appendChild(overlay);
    return overlay;
  }

  function openHelp(returnTo) {
    if (!helpOverlay) helpOverlay = buildHelp();
    helpReturn = returnTo && returnTo !== document.body ? returnTo : null;
    helpOverlay.hidden = false;
    helpOverlay.querySelector("button").focus();
  }

  function closeHelp() {
    helpOverlay.hidden = true;
    if (helpReturn && document.contains(helpReturn)) helpReturn.focus({ preventScroll: true });
    else document.activeElement.blur();
    helpReturn = null;
  }

  // ---- New since the last visit ------------------------------------------------------

  // A visit is a run of page views less than VISIT_GAP_MS apart (in any tab). "New" means
  // newer than what was seen before this visit began, so the markers stay through reloads
  // and page changes of this visit and are gone on the next one.
  function visitBaseline() {
    var last = state.visit ? Date.parse(state.visit.at) : NaN;
    if (!state.visit || !(Date.now() - last < VISIT_GAP_MS)) {
      state.visit = { baseline: state.seen, at: "" };
    }
    state.visit.at = now();
    return state.visit.baseline;
  }

  function newBadge(text) {
    return el("span", "digest-badge digest-reader__new", text);
  }

  function markNewDays() {
    var baseline = visitBaseline();
    var newest = "";
    var day = document.querySelector(".digest-day[data-date]");
    // Only published days count: a newer weekend (no announcement) is nothing new to read.
    if (day && day.classList.contains("digest-day--published")) {
      var date = day.getAttribute("data-date");
      newest = date;
      var sub = day.querySelector(".digest-day__sub");
      if (baseline && date > baseline && sub) {
        sub.appendChild(document.createTextNode(" "));
        sub.appendChild(newBadge("New since your last visit"));
      }
    }
    document.querySelectorAll("tr.digest-archive__day").forEach(function (row) {
      var link = row.querySelector("a");
      var date = row.getAttribute("data-date") || (link ? link.textContent.trim() : "");
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return;
      if (!row.classList.contains("digest-archive__day--published")) return;
      if (date > newest) newest = date;
      if (baseline && date > baseline) {
        row.classList.add("digest-reader--new");
        link.parentNode.insertBefore(newBadge("new"), link.nextSibling);
        link.parentNode.insertBefore(document.createTextNode(" "), link.nextSibling);
      }
    });
    if (newest > state.seen) state.seen = newest;
    save();
  }

  // ---- Starred page ------------------------------------------------------------------

  // Stored TeX ($...$) back into arithmatex spans, which MathJax typesets as on day pages.
  function withMath(element, text) {
    var parts = String(text).replace(/\$\$/g, "$").split("$"); // display math shown inline
    if (parts.length % 2 === 0) parts = [String(text)]; // an odd $: plain text
    parts.forEach(function (part, i) {
      if (!part) return;
      if (i % 2 === 0) element.appendChild(document.createTextNode(part));
      else element.appendChild(el("span", "arithmatex", "\\(" + part + "\\)"));
    });
    return element;
  }

  function storedCard(paper, list) {
    var article = el("article", "digest-paper digest-starred__paper");
    article.id = paper.id.replace("/", "-");
    var title = el("h2", "digest-paper__title");
    var link = withMath(el("a"), paper.title);
    link.href = paper.abs_url || "https://arxiv.org/abs/" + paper.id;
    title.appendChild(link);
    article.appendChild(title);
    var meta = el("p", "digest-paper__meta");
    var idLink = el("a", "", paper.id);
    idLink.href = link.href;
    meta.appendChild(document.createTextNode("arXiv:"));
    meta.appendChild(idLink);
    meta.appendChild(document.createTextNode("v" + (paper.version || 1)));
    if (paper.pdf_url) {
      meta.appendChild(document.createTextNode(" · "));
      var pdf = el("a", "", "PDF");
      pdf.href = paper.pdf_url;
      meta.appendChild(pdf);
    }
    meta.appendChild(document.createTextNode(" · " + (paper.categories || []).join(", ")));
    if (paper.day) {
      meta.appendChild(document.createTextNode(" · "));
      var day = el("a", "digest-starred__day", paper.day);
      day.href = paper.day_url || "#";
      meta.appendChild(day);
    }
    var when = (paper.marked_at || "").slice(0, 10);
    if (when) meta.appendChild(document.createTextNode(" · " + list + " " + when));
    article.appendChild(meta);
    article.appendChild(el("p", "digest-paper__authors", (paper.authors || []).join(", ")));
    var abstract = el("div", "digest-paper__abstract");
    abstract.appendChild(withMath(el("p"), paper.abstract || ""));
    article.appendChild(abstract);
    if (paper.tags && paper.tags.length) {
      var tags = el("ul", "digest-paper__tags");
      paper.tags.forEach(function (tag) {
        var item = el("li");
        item.appendChild(el("span", "digest-tag", tag));
        tags.appendChild(item);
      });
      article.appendChild(tags);
    }
    return article;
  }

  function renderStarred(container) {
    while (container.firstChild) container.removeChild(container.firstChild);
    var starred = byMarked(state.starred);
    var not = byMarked(state.notInterested);
    var bar = el("div", "digest-reader__bar digest-starred__bar");
    var bib = button("digest-starred__bibtex", "Export BibTeX");
    var json = button("digest-starred__json", "Export JSON");
    bib.disabled = !starred.length;
    json.disabled = !starred.length && !not.length;
    bib.addEventListener("click", function () {
      download("arxiv-digest-starred.bib", "application/x-bibtex", data.bibtex(byMarked(state.starred)));
    });
    json.addEventListener("click", function () {
      download("arxiv-digest-starred.json", "application/json", data.exportJson(state));
    });
    bar.appendChild(bib);
    bar.appendChild(json);
    bar.appendChild(el("span", "digest-reader__count", starred.length + " starred, " +
      not.length + " not interested"));
    container.appendChild(bar);
    if (!starred.length) {
      container.appendChild(el("p", "digest-starred__empty",
        "No starred paper yet: press s on a paper (or its ☆ button) to star it."));
    }
    var list = el("div", "digest-starred__list");
    starred.forEach(function (paper) {
      list.appendChild(storedCard(paper, "starred"));
    });
    container.appendChild(list);
    if (not.length) {
      var section = el("details", "digest-starred__not");
      section.appendChild(el("summary", "", "Not interested (" + not.length + ")"));
      not.forEach(function (paper) { section.appendChild(storedCard(paper, "marked")); });
      container.appendChild(section);
    }
    cards = [];
    container.querySelectorAll("article.digest-paper").forEach(function (article) {
      var id = article.querySelector(".digest-paper__meta a").textContent;
      registerCard(article, state.starred[id] || state.notInterested[id]);
    });
  }

  // A link to one paper (a tag page, a search result, a shared ¶ link) opens its card.
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    var card = target && cardOf(target);
    if (!card) return;
    setOpen(card, true);
    card.element.focus({ preventScroll: true });
  }

  // ---- Start -------------------------------------------------------------------------

  function start() {
    var day = data.dayOfPage();
    var starredBox = document.getElementById("digest-starred");
    if (starredBox) {
      renderStarred(starredBox);
    } else {
      document.querySelectorAll("article.digest-paper").forEach(function (article) {
        registerCard(article, data.paperRecord(article, day));
      });
    }
    var dayElement = document.querySelector(".digest-day");
    if (dayElement && cards.length) {
      readFilters();
      daySummary = foldDaySummary(dayElement);
      var header = dayElement.querySelector(".digest-day__header");
      var bar = buildBar(true);
      if (header) header.parentNode.insertBefore(bar, header.nextSibling);
      else dayElement.insertBefore(bar, dayElement.firstChild);
    } else if (starredBox && cards.length) {
      starredBox.parentNode.insertBefore(buildBar(false), starredBox);
    }
    setView(state.view, false);
    refreshCards();
    markNewDays();
    openTarget();
    window.addEventListener("hashchange", openTarget);
    // Capture phase on window: before Material's own keydown handler (also on window).
    window.addEventListener("keydown", onKey, true);
    // Another tab starred or read something: show it here too.
    window.addEventListener("storage", function (event) {
      if (event.key !== STORAGE_KEY) return;
      state = loadState();
      if (starredBox) renderStarred(starredBox);
      refreshCards();
    });
    root.classList.add("digest-reader");
  }

  try {
    start();
  } catch (error) {
    // Never leave a half-folded page: fall back to the page as built.
    root.classList.remove("digest-view-compact", "digest-reader");
    throw error;
  }
})();
