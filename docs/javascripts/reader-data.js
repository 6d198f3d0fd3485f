// The reader's data (reader.js is its UI): the stored state under one versioned
// localStorage key, the one function that reads a paper off its card, and the BibTeX and
// JSON exports (their format is documented in docs/guide/reading.md, "Starred papers").
// No DOM changes here; reader.js reads it as window.arxivDigestReaderData.
(function () {
  "use strict";
  // docs/overrides/main.html reads the same key before the first paint to pick the view.
  var STORAGE_KEY = "arxiv-digest:v1";
  var VIEWS = ["compact", "full"];

  // ---- State -------------------------------------------------------------------------

  function emptyState() {
    return {
      version: 1,
      view: "compact", // the default: triage first (reading.md says why)
      hideRead: false,
      read: {}, // arXiv id -> ISO time marked read
      starred: {}, // arXiv id -> stored paper (see paperRecord) + marked_at
      notInterested: {}, // same shape as starred
      seen: "", // the newest published announcement date seen so far (YYYY-MM-DD)
      visit: null // this visit: {baseline: what was seen before it, at: last page view}
    };
  }

  function isDate(value) {
    return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value);
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  // Stored data is outside input: anything of the wrong shape is dropped, never trusted.
  function validState(raw) {
    var state = emptyState();
    if (!isObject(raw) || raw.version !== 1) return state;
    if (VIEWS.indexOf(raw.view) >= 0) state.view = raw.view;
    state.hideRead = raw.hideRead === true;
    if (isDate(raw.seen)) state.seen = raw.seen;
    if (isObject(raw.visit) && (raw.visit.baseline === "" || isDate(raw.visit.baseline)) &&
        typeof raw.visit.at === "string") {
      state.visit = { baseline: raw.visit.baseline, at: raw.visit.at };
    }
    if (isObject(raw.read)) {
      Object.keys(raw.read).forEach(function (id) {
        if (typeof raw.read[id] === "string") state.read[id] = raw.read[id];
      });
    }
    ["starred", "notInterested"].forEach(function (list) {
      if (!isObject(raw[list])) return;
      Object.keys(raw[list]).forEach(function (id) {
        var paper = raw[list][id];
        if (isObject(paper) && paper.id === id && typeof paper.title === "string") {
          state[list][id] = paper;
        }
      });
    });
    return state;
  }

  function loadState() {
    var text = null;
    try { text = window.localStorage.getItem(STORAGE_KEY); } catch (e) { return emptyState(); }
    if (text === null) return emptyState();
    try {
      return validState(JSON.parse(text));
    } catch (e) {
      // Corrupt storage (hand-edited, truncated): start afresh rather than break the page.
      var fresh = emptyState();
      writeState(fresh);
      return fresh;
    }
  }

  function writeState(value) {
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify(value));
      return true;
    } catch (e) {
      return false; // storage off or full: the page keeps working for this visit
    }
  }

  // ---- Paper fields ------------------------------------------------------------------

  // Text of a title or abstract with its math as TeX ($...$), as on arXiv: arithmatex wraps
  // inline math in \(...\) and display math in \[...\]; MathJax later replaces those spans,
  // which is why cards are read once, at start-up, before it typesets.
  function texText(element) {
    if (!element) return "";
    var out = "";
    element.childNodes.forEach(function (node) {
      if (node.nodeType === Node.TEXT_NODE) {
        out += node.data;
      } else if (node.nodeType === Node.ELEMENT_NODE) {
        if (node.classList.contains("arithmatex")) {
          out += node.textContent.replace(/^\\\(([\s\S]*)\\\)$/, "$$$1$$")
            .replace(/^\\\[([\s\S]*)\\\]$/, "$$$$$1$$$$");
        } else if (!/^MJX-/.test(node.tagName)) {
          out += texText(node);
        }
      }
    });
    return out.replace(/\s+/g, " ").trim();
  }

  function listAttribute(value) {
    if (!value) return null;
    try {
      var list = JSON.parse(value);
      if (Array.isArray(list) && list.every(function (item) { return typeof item === "string"; })) {
        return list;
      }
    } catch (e) { /* not JSON: the DOM text below */ }
    return null;
  }

  function score(value) {
    var number = parseInt(value, 10);
    return number >= 1 && number <= 10 ? number : null;
  }

  function dayOfPage() {
    var day = document.querySelector(".digest-day[data-date]");
    if (!day) return { date: "", url: "" };
    // The home page shows the latest day: its permalink is the day's own address.
    var permalink = day.querySelector(".digest-day__sub a[href]");
    var url = day.getAttribute("data-day-url") ||
      (permalink ? permalink.href : location.href.split(/[?#]/)[0]);
    url = new URL(url, document.baseURI).href;
    return { date: day.getAttribute("data-date"), url: url.split(/[?#]/)[0] };
  }

  // The one place that reads a paper off its card: the card's data-* attributes where the
  // site provides them, else the card's text. Read when present: data-arxiv-id,
  // data-version, data-title (TeX as in the day file), data-authors, data-categories and
  // data-tags (JSON arrays of strings), data-relevance, data-novelty, data-announce-type,
  // data-abs-url, data-pdf-url, data-date; on .digest-day, data-date and data-day-url.
  function paperRecord(card, day) {
    var data = card.dataset;
    var titleLink = card.querySelector(".digest-paper__title a:not(.digest-paper__permalink)");
    var meta = card.querySelector(".digest-paper__meta");
    var metaLinks = meta ? Array.prototype.slice.call(meta.querySelectorAll("a")) : [];
    var idLink = metaLinks.filter(function (a) { return /\/abs\//.test(a.href); })[0];
    var pdfLink = metaLinks.filter(function (a) { return /\/pdf\//.test(a.href); })[0];
    var id = data.arxivId || (idLink ? idLink.textContent.trim() : card.id);
    var metaText = meta ? meta.textContent : "";
    var versionMatch = metaText.match(/v(\d+)\s*·/);
    var metaParts = metaText.split("·");
    var authorsText = (card.querySelector(".digest-paper__authors") || {}).textContent || "";
    var typeChip = card.querySelector(".digest-chip--type");
    return {
      id: id,
      version: parseInt(data.version, 10) || (versionMatch ? parseInt(versionMatch[1], 10) : 1),
      title: data.title || texText(titleLink),
      authors: listAttribute(data.authors) ||
        authorsText.split(",").map(function (a) { return a.trim(); }).filter(Boolean),
      abstract: texText(card.querySelector(".digest-paper__abstract")),
      categories: listAttribute(data.categories) || (metaParts.length > 1 ?
        metaParts[metaParts.length - 1].split(",").map(function (c) { return c.trim(); })
          .filter(Boolean) : []),
      tags: listAttribute(data.tags) ||
        Array.prototype.map.call(card.querySelectorAll(".digest-paper__tags a, .digest-paper__tags .digest-tag"),
          function (a) { return a.textContent.trim(); }),
      relevance: score(data.relevance),
      novelty: score(data.novelty),
      announce_type: data.announceType || (typeChip ? typeChip.textContent.trim() : ""),
      abs_url: data.absUrl || (titleLink ? titleLink.href : ""),
      pdf_url: data.pdfUrl || (pdfLink ? pdfLink.href : ""),
      day: data.date || day.date,
      day_url: day.url ? day.url + "#" + card.id : ""
    };
  }

  // ---- Exports -----------------------------------------------------------------------

  var BIB_TEXT = {
    "\\": "\\textbackslash{}", "{": "\\textbraceleft{}", "}": "\\textbraceright{}",
    "&": "\\&", "%": "\\%", "#": "\\#", "_": "\\_", "$": "\\$",
    "~": "\\textasciitilde{}", "^": "\\textasciicircum{}"
  };

  function bibPlain(text) {
    return text.replace(/[\\{}&%#_$~^]/g, function (ch) { return BIB_TEXT[ch]; });
  }

  function balanced(tex) {
    var depth = 0;
    for (var i = 0; i < tex.length; i++) {
      if (tex[i] === "\\") { i++; continue; }
      if (tex[i] === "{") depth++;
      if (tex[i] === "}" && --depth < 0) return false;
    }
    return depth === 0;
  }

  // A BibTeX field value (inside braces). Plain text is escaped (BibTeX counts every brace,
  // escaped or not, so braces become \textbraceleft{}); math ($...$) is kept as TeX when
  // its braces balance, else escaped as text.
  function bibValue(text) {
    var parts = String(text).replace(/\$\$/g, "$").split("$");
    if (parts.length % 2 === 0) return bibPlain(String(text));
    return parts.map(function (part, i) {
      if (i % 2 === 0) return bibPlain(part);
      var math = part.replace(/\\[{}]?$/, "");
      return balanced(part) && !/\\$/.test(part) ? "$" + part + "$" : bibPlain("$" + math + "$");
    }).join("");
  }

  function bibKey(id) {
    return id.replace(/[^A-Za-z0-9.:\/_-]/g, "_");
  }

  function yearOf(paper) {
    if (/^\d{4}/.test(paper.day || "")) return paper.day.slice(0, 4);
    var modern = /^(\d{2})\d{2}\./.exec(paper.id) || /\/(\d{2})\d{5}$/.exec(paper.id);
    if (!modern) return "";
    var yy = parseInt(modern[1], 10);
    return String(yy > 90 ? 1900 + yy : 2000 + yy);
  }

  function bibtex(papers) {
    return papers.map(function (paper) {
      var fields = [
        ["title", paper.title],
        ["author", (paper.authors || []).join(" and ")],
        ["year", yearOf(paper)],
        ["eprint", paper.id],
        ["archivePrefix", "arXiv"],
        ["primaryClass", (paper.categories || [])[0] || ""],
        ["url", paper.abs_url || "https://arxiv.org/abs/" + paper.id]
      ].filter(function (field) { return field[1]; });
      return "@misc{" + bibKey(paper.id) + ",\n" + fields.map(function (field) {
        return "  " + field[0] + " = {" + bibValue(field[1]) + "}";
      }).join(",\n") + "\n}\n";
    }).join("\n");
  }

  var EXPORT_FIELDS = ["id", "version", "title", "authors", "abstract", "categories", "tags",
    "relevance", "novelty", "announce_type", "abs_url", "pdf_url", "day", "day_url", "marked_at"];

  function exported(paper) {
    var out = {};
    EXPORT_FIELDS.forEach(function (key) {
      out[key] = paper[key] === undefined ? null : paper[key];
    });
    return out;
  }

  function byMarked(list) {
    return Object.keys(list).map(function (id) { return list[id]; }).sort(function (a, b) {
      return a.marked_at < b.marked_at ? 1 : a.marked_at > b.marked_at ? -1 : 0;
    });
  }

  function exportJson(state) {
    return JSON.stringify({
      format: "arxiv-digest-stars",
      version: 1,
      exported: new Date().toISOString(),
      starred: byMarked(state.starred).map(exported),
      not_interested: byMarked(state.notInterested).map(exported)
    }, null, 2) + "\n";
  }

  window.arxivDigestReaderData = {
    STORAGE_KEY: STORAGE_KEY,
    emptyState: emptyState,
    loadState: loadState,
    writeState: writeState,
    isDate: isDate,
    score: score,
    dayOfPage: dayOfPage,
    paperRecord: paperRecord,
    exported: exported,
    byMarked: byMarked,
    bibtex: bibtex,
    exportJson: exportJson
  };
})();
