// Archive search: Pagefind, one index per year (see generator/site/search.py).
// The newest year's bundle is the primary instance and the others are merged in with
// mergeIndex; choosing a year loads only that year's bundle. Results link to the paper's
// anchor on its day page. Paper text is untrusted: titles and metadata are set with
// textContent, and excerpts are rebuilt from parsed text with only <mark> kept.
(function () {
  "use strict";
  var PAGE = 3; // at most this many days per batch: a day's fragment holds all its text
  var PAPERS = 10; // ...and no more days once this many more papers are shown
  var instances = {};
  // Common words dropped from multi-word queries: each word costs one index chunk per year,
  // and a word like "of" has the largest chunks (measured: "mixture of experts" 755 KB at
  // 1,000 days). A query of only such words is kept as typed.
  var STOP = ("a an and are as at be by for from has in is it its of on or that the to " +
    "via we with").split(" ");

  function searchTerms(query) {
    var words = query.split(/\s+/).filter(Boolean);
    var kept = words.filter(function (w) { return STOP.indexOf(w.toLowerCase()) < 0; });
    return (kept.length ? kept : words).join(" ");
  }

  function bundleUrl(config, year) {
    return new URL(config.root + config.index + "/" + year + "/", document.baseURI).href;
  }

  async function instanceFor(config, year) {
    var key = year || "all";
    if (!instances[key]) {
      instances[key] = (async function () {
        var years = year ? [Number(year)] : config.years;
        var pagefind = await import(bundleUrl(config, years[0]) + "pagefind.js");
        await pagefind.options({ excerptLength: 30 });
        for (var i = 1; i < years.length; i++) {
          await pagefind.mergeIndex(bundleUrl(config, years[i]));
        }
        await pagefind.init();
        return pagefind;
      })();
    }
    return instances[key];
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

  // One result per matching paper: Pagefind matches a day record, and each matching paper
  // is a sub-result whose anchor is the paper's id on the day page.
  function paperResults(config, data, tag) {
    var meta = data.meta || {};
    var tagmap = {};
    try { tagmap = JSON.parse(meta.tagmap || "{}"); } catch (e) { tagmap = {}; }
    var out = [];
    // A filter-only search (no words) has no sub-results: list the day's papers instead.
    var subs = data.sub_results && data.sub_results.length ? data.sub_results :
      (data.anchors || []).filter(function (anchor) { return anchor.element === "h2"; })
        .map(function (anchor) { return { title: anchor.text, anchor: anchor, url: "" }; });
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
      var info = document.createElement("div");
      info.className = "digest-search__meta";
      info.textContent = [meta.date, tagmap[id].join(", ")].filter(Boolean).join(" · ");
      li.appendChild(info);
      li.appendChild(safeExcerpt(sub.excerpt || ""));
      out.push(li);
    });
    return out;
  }

  async function run(root, config, params) {
    var status = root.querySelector(".digest-search__status");
    var list = root.querySelector(".digest-search__results");
    list.textContent = "";
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
    try {
      var pagefind = await instanceFor(config, year);
      var search = await pagefind.search(query ? searchTerms(query) : null,
        { filters: filters });
      var results = search.results;
      var shown = 0;
      var papers = 0;
      var more = document.createElement("button");
      more.className = "md-button digest-search__more";
      more.type = "button";
      more.textContent = "More results";
      // Load matching days one at a time (best first) until a screenful of papers is shown:
      // each day's fragment carries all its papers' text, so this keeps a first query light.
      async function showMore() {
        var target = papers + PAPERS;
        var loaded = 0;
        while (shown < results.length && papers < target && loaded < PAGE) {
          var data = await results[shown].data();
          shown++;
          loaded++;
          paperResults(config, data, tag).forEach(function (li) {
            list.appendChild(li);
            papers++;
          });
        }
        status.textContent = papers + " paper" + (papers === 1 ? "" : "s") + " from " +
          shown + " of " + results.length + " matching day" + (results.length === 1 ? "" : "s");
        if (shown >= results.length) more.remove();
      }
      more.addEventListener("click", showMore);
      await showMore();
      if (shown < results.length) list.after(more);
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
