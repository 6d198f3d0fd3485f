// Archive search: Pagefind, one index per year (see generator/site/search.py).
// Each year's bundle is its own Pagefind instance (a module per URL). A search runs on the
// newest year first and on older years only when it finds fewer than ENOUGH papers there or
// when the reader asks ("Search older years"): every searched year costs one index chunk
// per word plus its wasm and metadata, so this keeps a first query light at 1,000 days.
// Results are newest year first, each year's by relevance. Choosing a year searches only
// that year. Results link to the paper's anchor on its day page. Paper text is untrusted:
// titles and metadata are set with textContent, and excerpts are rebuilt from parsed text
// with only <mark> kept.
(function () {
  "use strict";
  var PAGE = 3; // at most this many days per batch: a day's fragment holds all its text
  var PAPERS = 10; // ...and no more days once this many more papers are shown
  var ENOUGH = 10; // a first query goes on to older years while fewer papers than this show
  var instances = {}; // year -> Promise of its initialised Pagefind module
  var runs = 0; // the latest search; an older one still loading stops writing results
  // Common words dropped from multi-word queries: each word costs one index chunk per year,
  // and a word like "of" has the largest chunks (measured: "mixture of experts" 755 KB at
  // 1,000 days). A query of only such words is kept as typed.
  var STOP = ("a an and are as at be by for from has in is it its of on or that the to " +
    "via we with").split(" ");
  // ...and a long query (a pasted title) is looked up by its MAX_TERMS longest words, which
  // are the rarest as a rule (measured: an 8-word title 486 KB at 1,000 days); all its words
  // still rank the papers of each matching day (termsMatched).
  var MAX_TERMS = 5;

  function contentWords(query) {
    var words = query.split(/\s+/).filter(Boolean);
    var kept = words.filter(function (w) { return STOP.indexOf(w.toLowerCase()) < 0; });
    return kept.length ? kept : words;
  }

  function searchTerms(query) {
    var words = contentWords(query);
    if (words.length > MAX_TERMS) {
      var longest = words.slice().sort(function (a, b) { return b.length - a.length; })
        .slice(0, MAX_TERMS);
      words = words.filter(function (w) { return longest.indexOf(w) >= 0; })
        .slice(0, MAX_TERMS);
    }
    return words.join(" ");
  }

  function bundleUrl(config, year) {
    return new URL(config.root + config.index + "/" + year + "/", document.baseURI).href;
  }

  async function instanceFor(config, year) {
    if (!instances[year]) {
      instances[year] = (async function () {
        var pagefind = await import(bundleUrl(config, year) + "pagefind.js");
        await pagefind.options({ excerptLength: 30 });
        await pagefind.init();
        return pagefind;
      })();
    }
    return instances[year];
  }

  // Pagefind excerpts are HTML with <mark> around hits; keep the text and the marks only.
  function safeExcerpt(excerpt) {
    var doc = new DOMParser().parseFromString("<p>" + excerpt + "</p>", "text/html");
    var out = document.createElement("p");
    out.className = "digest-search__excerpt";
    doc.body.firstChild.childNodes.forEach(function (node) {
      if (node.nodeType === Node.ELEMENT_NODE && node.tagName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function normal(word) {
    return word.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "");
  }

  // How many of the query's words a sub-result (one paper) contains, to put papers that
  // match more of them first. Pagefind matches a *day* when all words occur somewhere in it
  // and returns its sub-results in page order, so a title query otherwise lists papers that
  // share one common word with it first. A word counts when the text has it or a word with
  // its first 4 letters (Pagefind stems: "mixtures" finds "mixture").
  function termsMatched(terms, words, sub) {
    var found = {};
    (sub.locations || []).forEach(function (loc) {
      var word = normal(words[loc] || "");
      terms.forEach(function (term, i) {
        if (word === term || (term.length > 4 && word.slice(0, 4) === term.slice(0, 4))) {
          found[i] = true;
        }
      });
    });
    return Object.keys(found).length;
  }

  // Ties: more hits, and hits in the title (Pagefind weighs heading words higher), first.
  function hitWeight(sub) {
    return (sub.weighted_locations || []).reduce(function (sum, hit) {
      return sum + (hit.weight || 1);
    }, 0);
  }

  // "date · tag, tag": each tag links to the page that lists the paper (the record's
  // tagpages holds every tag's page, with the site's final slugs). Text only, via the DOM.
  function resultMeta(config, date, names, tagpages) {
    var info = document.createElement("div");
    info.className = "digest-search__meta";
    if (date) info.appendChild(document.createTextNode(date));
    names.forEach(function (name, index) {
      info.appendChild(document.createTextNode(index ? ", " : (date ? " · " : "")));
      var page = Object.prototype.hasOwnProperty.call(tagpages, name) ? tagpages[name] : "";
      var node = document.createElement(page ? "a" : "span");
      if (page) node.href = new URL(config.root + page, document.baseURI).href;
      node.textContent = name;
      info.appendChild(node);
    });
    return info;
  }

  // One result per matching paper: Pagefind matches a day record, and each matching paper
  // is a sub-result whose anchor is the paper's id on the day page. Within a day, papers
  // matching more of the query's words come first, then those with more (title) hits; the
  // sort is stable, so full ties keep the day's order.
  function paperResults(config, data, tag, terms) {
    var meta = data.meta || {};
    var tagmap = {};
    try { tagmap = JSON.parse(meta.tagmap || "{}"); } catch (e) { tagmap = {}; }
    var tagpages = {};
    try { tagpages = JSON.parse(meta.tagpages || "{}"); } catch (e) { tagpages = {}; }
    var out = [];
    // A filter-only search (no words) has no sub-results: list the day's papers instead.
    var subs = data.sub_results && data.sub_results.length ? data.sub_results :
      (data.anchors || []).filter(function (anchor) { return anchor.element === "h2"; })
        .map(function (anchor) { return { title: anchor.text, anchor: anchor, url: "" }; });
    if (terms.length && data.sub_results && data.sub_results.length) {
      var words = (data.content || "").split(/[\r\n\s]+/g);
      subs = subs.map(function (sub) {
        return [termsMatched(terms, words, sub), hitWeight(sub), sub];
      }).sort(function (a, b) { return b[0] - a[0] || b[1] - a[1]; })
        .map(function (ranked) { return ranked[2]; });
    }
    subs.forEach(function (sub) {
      var id = (sub.anchor && sub.anchor.id) || (sub.url.split("#")[1] || "");
      if (!id || !Object.prototype.hasOwnProperty.call(tagmap, id)) return;
      if (tag && tagmap[id].indexOf(tag) < 0) return;
      var li = document.createElement("li");
      li.className = "digest-search__result";
      var a = document.createElement("a");
      a.className = "digest-search__title";
      a.href = new URL(config.root + (meta.link || "") + "#" + encodeURIComponent(id),
        document.baseURI).href;
      a.textContent = sub.title || id;
      li.appendChild(a);
      li.appendChild(resultMeta(config, meta.date, tagmap[id], tagpages));
      li.appendChild(safeExcerpt(sub.excerpt || ""));
      out.push(li);
    });
    return out;
  }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function span(years) {
    return years.length > 1 ? years[0] + "–" + years[years.length - 1] : String(years[0]);
  }

  async function run(root, config, params) {
    var token = ++runs;
    var status = root.querySelector(".digest-search__status");
    var list = root.querySelector(".digest-search__results");
    list.textContent = "";
    root.querySelectorAll(".digest-search__more").forEach(function (b) { b.remove(); });
    var query = (params.get("q") || "").trim();
    var tag = params.get("tag") || "";
    var year = params.get("year") || "";
    if (!query && !tag) {
      status.textContent = config.years.length ? "" : "Nothing to search yet.";
      return;
    }
    if (!config.years.length) {
      status.textContent = "Nothing to search yet.";
      return;
    }
    status.textContent = "Searching…";
    var filters = {};
    if (tag) filters.tag = tag;
    if (year) filters.year = year;
    var terms = query ? searchTerms(query) : null;
    var termList = query ? contentWords(query).map(normal).filter(Boolean) : [];
    // Newest year first; a year filter searches just that year.
    var years = year ? [Number(year)] : config.years.slice();
    var searched = [];
    var queue = []; // matching days of the searched years, each year's best first
    var shown = 0;
    var papers = 0;
    var more = document.createElement("button");
    more.className = "md-button digest-search__more";
    more.type = "button";

    async function searchNextYear() {
      var y = years[searched.length];
      var pagefind = await instanceFor(config, y);
      var search = await pagefind.search(terms, { filters: filters });
      searched.push(y);
      queue = queue.concat(search.results);
    }

    // Show matching days one at a time until PAPERS more papers (at most PAGE days: each
    // day's fragment carries all its papers' text). Older years are searched only while
    // fewer than `extendUntil` papers are shown.
    async function fill(extendUntil) {
      var target = papers + PAPERS;
      var loaded = 0;
      while (papers < target && loaded < PAGE) {
        if (shown >= queue.length) {
          if (searched.length >= years.length || papers >= extendUntil) break;
          await searchNextYear();
          continue;
        }
        var data = await queue[shown].data();
        if (token !== runs) return;
        shown++;
        loaded++;
        paperResults(config, data, tag, termList).forEach(function (li) {
          list.appendChild(li);
          papers++;
        });
      }
      if (token !== runs) return;
      var rest = years.slice(searched.length);
      status.textContent = plural(papers, "paper") + " from " + shown + " of " +
        plural(queue.length, "matching day") + " in " + span(searched) +
        (rest.length ? "; older years (" + span(rest) + ") not searched yet" : "");
      if (shown < queue.length) {
        more.textContent = "More results";
      } else if (rest.length) {
        more.textContent = "Search older years (" + span(rest) + ")";
      } else {
        more.remove();
        return;
      }
      if (!more.isConnected) list.after(more);
    }

    more.addEventListener("click", async function () {
      more.disabled = true;
      status.textContent = "Searching…";
      try {
        // "More results" continues within the searched years; "Search older years" goes on
        // through older years until at least one more paper shows (or none are left).
        await fill(shown < queue.length ? 0 : papers + 1);
      } catch (err) {
        status.textContent = "Search is unavailable: " + err;
      }
      more.disabled = false;
    });
    try {
      await searchNextYear();
      if (token !== runs) return;
      // A first query searches older years too while the newest has fewer than ENOUGH papers.
      await fill(ENOUGH);
    } catch (err) {
      status.textContent = "Search is unavailable: " + err;
    }
  }

  function setup() {
    var root = document.getElementById("digest-search");
    if (!root || root.dataset.ready) return;
    root.dataset.ready = "1";
    var config = JSON.parse(root.dataset.config);
    var params = new URLSearchParams(window.location.search);
    ["q", "tag", "year"].forEach(function (name) {
      var field = root.querySelector('[name="' + name + '"]');
      if (field && params.get(name)) field.value = params.get(name);
    });
    root.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new URLSearchParams(new FormData(event.target));
      for (var [key, value] of Array.from(data.entries())) if (!value) data.delete(key);
      history.replaceState(null, "", "?" + data.toString());
      run(root, config, data);
    });
    run(root, config, params);
  }

  // Material's instant navigation re-renders pages without reloading: document$ fires then.
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(setup);
  } else {
    document.addEventListener("DOMContentLoaded", setup);
  }
})();
