/* The search page (builder/search.py): two indexes, one list of results.
 *
 * - Names: search/records.json lists every project, region and bulletin with its
 *   names, aliases and id. What is typed matches as an exact substring (NFKC,
 *   case folded; several words must all match), so 益海 finds 益海嘉里(周口)… even
 *   where a word segmenter would split the name elsewhere. Filters (kind, region
 *   with everything below it, stage, sector) are applied to these records here.
 * - Full text: Pagefind (pagefind/pagefind.js, loaded from this site) searches
 *   every page's words, with the same filters given to it.
 * Name matches come first; Pagefind's results follow, without repeating a page.
 * Every link is relative to the site root as the page found it (data-root), so
 * the site works from any sub-path. No inline script or style: the strict CSP holds.
 */
(function () {
  "use strict";
  var form = document.querySelector("form.search-form");
  if (!form) return;
  var list = document.querySelector(".search-results");
  var status = document.querySelector(".search-status");
  var more = document.querySelector(".search-more");
  var nojs = document.querySelector(".search-nojs");
  var ds = form.dataset;
  var ROOT = ds.root || "./";
  var STEP = 30;        // results shown per "show more"
  var PRELOAD = 200;    // Pagefind results whose page data is fetched (to drop repeats)
  var FIELDS = ["q", "kind", "region", "stage", "sector"];
  var KIND_ORDER = { project: 0, region: 1, bulletin: 2 };

  var records = [];     // prepared records
  var byPath = {};      // path -> record
  var regions = {};     // id -> {name, parent}
  var pagefind = null;  // the module, once loaded
  var pagefindFailed = false;
  var seq = 0;          // the latest search; older ones drop their results
  var state = null;     // {items, pending, limit, token}

  function norm(s) { return String(s || "").normalize("NFKC").toLowerCase(); }

  function labels(name) {
    var out = {};
    var sel = form.elements[name];
    if (!sel) return out;
    for (var i = 0; i < sel.options.length; i++) {
      var o = sel.options[i];
      if (o.value) out[o.value] = o.textContent.trim();
    }
    return out;
  }
  var kindLabel = labels("kind");
  var stageLabel = labels("stage");

  function within(rid, want) {
    for (var n = 0; rid && n < 64; n++) {
      if (rid === want) return true;
      rid = regions[rid] ? regions[rid].parent : "";
    }
    return false;
  }

  function prepare(doc) {
    (doc.regions || []).forEach(function (r) { regions[r[0]] = { name: r[1], parent: r[2] }; });
    var paths = doc.paths || {};
    records = (doc.records || []).map(function (r) {
      var rec = { kind: r[0], id: r[1], name: r[2], others: r[3] || [], region: r[4],
                  stage: r[5], sector: r[6] };
      rec.path = (paths[rec.kind] || "").replace("{id}", rec.id);
      rec.key = norm(rec.name);
      rec.hay = norm([rec.name].concat(rec.others, [rec.id]).join("\u0001"));
      byPath[rec.path] = rec;
      return rec;
    });
  }

  function values() {
    var v = {};
    FIELDS.forEach(function (f) { v[f] = form.elements[f] ? form.elements[f].value.trim() : ""; });
    return v;
  }

  function keep(rec, v) {
    return (!v.kind || rec.kind === v.kind) && (!v.stage || rec.stage === v.stage) &&
      (!v.sector || rec.sector === v.sector) && (!v.region || within(rec.region, v.region));
  }

  /* Records whose names, aliases or id contain every word typed, best first. */
  function byName(v) {
    var words = norm(v.q).split(/\s+/).filter(Boolean);
    var q = words.join(" ");
    var out = [];
    records.forEach(function (rec) {
      if (!keep(rec, v)) return;
      var rank = 4;
      if (!words.length) rank = 3;
      else if (rec.key === q) rank = 0;
      else if (rec.key.indexOf(q) === 0) rank = 1;
      else if (words.every(function (w) { return rec.key.indexOf(w) >= 0; })) rank = 2;
      else if (words.every(function (w) { return rec.hay.indexOf(w) >= 0; })) rank = 3;
      if (rank < 4) out.push({ rank: rank, rec: rec });
    });
    out.sort(function (a, b) {
      return a.rank - b.rank || KIND_ORDER[a.rec.kind] - KIND_ORDER[b.rec.kind] ||
        a.rec.name.length - b.rec.name.length || (a.rec.name < b.rec.name ? -1 : a.rec.name > b.rec.name ? 1 : 0);
    });
    return out.map(function (x) { return { path: x.rec.path, title: x.rec.name, rec: x.rec }; });
  }

  function pagefindFilters(v) {
    var f = {};
    ["kind", "region", "stage", "sector"].forEach(function (k) { if (v[k]) f[k] = v[k]; });
    return f;
  }

  /* Pagefind's excerpt is HTML with <mark>: keep its text and marks, nothing else. */
  function excerpt(html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html;
    var p = document.createElement("p");
    p.className = "search-excerpt";
    tpl.content.childNodes.forEach(function (n) {
      if (n.nodeName === "MARK") {
        var m = document.createElement("mark");
        m.textContent = n.textContent;
        p.appendChild(m);
      } else {
        p.appendChild(document.createTextNode(n.textContent));
      }
    });
    return p;
  }

  function row(item) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = ROOT + item.path;
    a.textContent = item.title || item.path;
    li.appendChild(a);
    var rec = item.rec || byPath[item.path];
    if (rec) {
      var meta = [kindLabel[rec.kind] || rec.kind];
      if (rec.region && regions[rec.region] && rec.kind !== "region") meta.push(regions[rec.region].name);
      if (rec.stage) meta.push(stageLabel[rec.stage] || rec.stage);
      if (rec.sector) meta.push(rec.sector);
      var span = document.createElement("span");
      span.className = "search-meta";
      span.textContent = meta.join(" · ");
      li.appendChild(document.createTextNode(" "));
      li.appendChild(span);
      if (!item.excerpt && rec.others.length) {
        var o = document.createElement("p");
        o.className = "search-excerpt";
        o.textContent = rec.others.join(" · ");
        li.appendChild(o);
      }
    }
    if (item.excerpt) li.appendChild(excerpt(item.excerpt));
    return li;
  }

  function say(text) { status.textContent = text; }

  function count() {
    var s = state;
    var n = s.items.length + s.pending.length;
    var note = pagefindFailed && values().q ? " " + ds.msgFulltext : "";
    say((n ? ds.msgCount.replace("{n}", n) : ds.msgNone) + note);
  }

  /* Fetch the page data of Pagefind results, dropping pages already listed. */
  function resolve(s, upto) {
    var take = s.pending.splice(0, Math.max(0, upto));
    return Promise.all(take.map(function (r) { return r.data(); })).then(function (data) {
      if (s.token !== seq) return;
      data.forEach(function (d) {
        var path = String(d.url || "").replace(/^\//, "");
        if (s.seen[path]) return;
        s.seen[path] = true;
        s.items.push({ path: path, title: d.meta && d.meta.title, excerpt: d.excerpt });
      });
    });
  }

  function render() {
    var s = state;
    list.textContent = "";
    s.items.slice(0, s.limit).forEach(function (item) { list.appendChild(row(item)); });
    more.hidden = s.items.length + s.pending.length <= s.limit;
    count();
  }

  function run() {
    var v = values();
    var token = ++seq;
    sync(v);
    if (!v.q && !v.kind && !v.region && !v.stage && !v.sector) {
      state = null;
      list.textContent = "";
      more.hidden = true;
      say(ds.msgPrompt);
      return;
    }
    say(ds.msgLoading);
    var s = { items: byName(v), pending: [], limit: STEP, token: token, seen: {} };
    s.items.forEach(function (item) { s.seen[item.path] = true; });
    var full = pagefind && v.q ? pagefind.search(v.q, { filters: pagefindFilters(v) })
      : Promise.resolve(null);
    full.then(function (res) {
      if (token !== seq) return;
      s.pending = res ? res.results.slice() : [];
      return resolve(s, PRELOAD);
    }).catch(function () {
      pagefindFailed = true;
    }).then(function () {
      if (token !== seq) return;
      state = s;
      render();
    });
  }

  function sync(v) {
    var params = new URLSearchParams();
    FIELDS.forEach(function (f) { if (v[f]) params.set(f, v[f]); });
    var qs = params.toString();
    history.replaceState(null, "", qs ? "?" + qs : location.pathname);
  }

  var timer = 0;
  function soon() { clearTimeout(timer); timer = setTimeout(run, 150); }

  form.addEventListener("submit", function (e) { e.preventDefault(); clearTimeout(timer); run(); });
  form.addEventListener("input", function (e) { if (e.target.name === "q") soon(); });
  form.addEventListener("change", function (e) { if (e.target.name !== "q") run(); });
  more.addEventListener("click", function () {
    var s = state;
    if (!s) return;
    s.limit += STEP;
    var need = s.limit - s.items.length;
    (need > 0 ? resolve(s, need + STEP) : Promise.resolve()).then(function () {
      if (s === state) render();
    });
  });

  // Start: show the form, fill it from the address (?q=…), load both indexes, search.
  var start = new URLSearchParams(location.search);
  FIELDS.forEach(function (f) {
    var el = form.elements[f];
    if (el && start.get(f)) el.value = start.get(f);
  });
  form.hidden = false;
  if (nojs) nojs.hidden = true;
  say(ds.msgLoading);

  var names = fetch(ds.records).then(function (r) {
    if (!r.ok) throw new Error(r.status);
    return r.json();
  }).then(prepare).catch(function () { records = []; });
  var full = import(new URL(ds.pagefind, document.baseURI).href).then(function (m) {
    pagefind = m;
    // Result URLs as indexed ("/projects/x/"), whatever path the site is served under.
    return Promise.resolve(m.options({ baseUrl: "/" })).then(function () { return m.init(); });
  }).catch(function () { pagefind = null; pagefindFailed = true; });
  Promise.all([names, full]).then(run);
})();
