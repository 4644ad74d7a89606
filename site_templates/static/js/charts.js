// progress-bulletin: the interactive layer for charts (ES module).
//
// Every chart is already on the page as an SVG drawn at build time, with its
// data in a table beside it, so nothing here is needed to read the page. This
// module adds a live Vega view (tooltips, hover) on top, under a strict CSP:
//
//   <html> ... <meta name="vega-bundle" content="../assets/vega.<hash>.js">
//              (or <html data-vega-bundle="...">)
//   <figure class="chart" data-chart-id="X">
//     <div class="chart-static"><svg>...</svg></div>   drawn at build time
//     <div class="chart-live"></div>                    filled here
//     <script type="application/json" id="chart-spec-X">{...}</script>
//   </figure>
//
// The bundle is vl-convert's vega + vega-lite + vega-embed in one file. It has
// no exports: run as a module, it sets window.vegaEmbed. It is 300 KB gzipped
// and compiling it blocks the main thread for a long task, so it waits until a
// reader reaches for a chart (a pointer over it, a touch, keyboard focus in it):
// the page is complete and usable long before, and a reader who never does
// pays nothing. That chart goes live first; the others then follow as they come
// near the viewport, when the browser is idle. Only when a view has rendered
// does its figure get the class "is-live" (the CSS then hides the static SVG,
// which stays in the DOM for print); any failure leaves the static chart.

const LIVE = "is-live";

// vega-embed options that work under `script-src 'self'; style-src 'self'`:
// `ast` interprets expressions instead of compiling them with new Function
// (no unsafe-eval), and the default <style> injections are turned off.
const OPTIONS = {
  ast: true,
  actions: false,
  defaultStyle: false,
  tooltip: { disableDefaultStyle: true },
  renderer: "svg",
  logLevel: 1, // vega.Error: warnings stay out of the console
};

function bundleUrl() {
  const meta = document.querySelector('meta[name="vega-bundle"]');
  const url = (meta && meta.content) || document.documentElement.dataset.vegaBundle;
  // Resolved against the page, not this module: pages link assets relatively.
  return url ? new URL(url, document.baseURI).href : null;
}

// vega-tooltip's box (it takes an element with this id if there is one): for the pointer
// only, as the data table beside each chart says the same to everyone else, so hidden
// from assistive technology; Escape dismisses it (WCAG 1.4.13).
function tooltipBox() {
  if (document.getElementById("vg-tooltip-element")) return;
  const box = document.createElement("div");
  box.id = "vg-tooltip-element";
  box.className = "vg-tooltip";
  box.setAttribute("aria-hidden", "true");
  document.body.append(box);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") box.classList.remove("visible");
  });
}

let loading = null;
function loadEmbed() {
  if (!loading) {
    const url = bundleUrl();
    loading = url
      ? import(url).then(() => {
          if (typeof window.vegaEmbed !== "function") throw new Error("no vegaEmbed in " + url);
          return window.vegaEmbed;
        })
      : Promise.reject(new Error("no vega bundle on this page"));
  }
  return loading;
}

const started = new WeakSet();

async function enliven(figure) {
  const id = figure.dataset.chartId;
  const data = document.getElementById("chart-spec-" + id);
  if (!data || started.has(figure)) return;
  started.add(figure);
  let live = figure.querySelector(".chart-live");
  if (!live) {
    live = document.createElement("div");
    live.className = "chart-live";
    figure.insertBefore(live, data);
  }
  try {
    const spec = JSON.parse(data.textContent);
    const embed = await loadEmbed();
    tooltipBox();
    const result = await embed(live, spec, OPTIONS);
    const svg = live.querySelector("svg");
    if (!svg) throw new Error("nothing was drawn");
    // Like the static SVG: one image with the chart's description; the table
    // beside it carries the figures for screen readers.
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", spec.description || "");
    // Inside role="img" the marks are presentation: drop Vega's per-mark roles, which
    // would ask screen readers for names the data table already gives.
    svg.querySelectorAll("[role], [aria-roledescription], [aria-label]").forEach(function (el) {
      el.removeAttribute("role");
      el.removeAttribute("aria-roledescription");
      el.removeAttribute("aria-label");
    });
    // The stylesheet sizes it to the card as it does the static SVG (by its viewBox); the
    // SVG renderer finds marks by DOM events, so hovering stays on target when scaled.
    figure.classList.add(LIVE);
    return result;
  } catch (err) {
    live.replaceChildren();
    figure.classList.remove(LIVE);
    console.warn("chart " + id + " stays static:", err);
  }
}

// What shows that a reader reaches for a chart.
const INTENT = ["pointerover", "touchstart", "focusin"];

function whenIdle(fn) {
  if ("requestIdleCallback" in window) window.requestIdleCallback(fn, { timeout: 2000 });
  else setTimeout(fn, 200);
}

// The rest, once the bundle is here: each chart as it comes near the viewport.
function followOthers(figures) {
  if (!("IntersectionObserver" in window)) {
    figures.forEach((f) => whenIdle(() => enliven(f)));
    return;
  }
  const seen = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) {
        seen.unobserve(entry.target);
        whenIdle(() => enliven(entry.target));
      }
    }
  }, { rootMargin: "200px 0px" });
  figures.forEach((f) => seen.observe(f));
}

function start() {
  const figures = Array.from(document.querySelectorAll("figure.chart[data-chart-id]"));
  if (!figures.length) return;
  let reached = false;
  function onIntent(event) {
    const figure = event.currentTarget;
    figures.forEach((f) => INTENT.forEach((type) => f.removeEventListener(type, onIntent)));
    enliven(figure);
    if (!reached) {
      reached = true;
      loadEmbed().then(() => followOthers(figures.filter((f) => f !== figure)), () => {});
    }
  }
  figures.forEach((f) => INTENT.forEach((type) =>
    f.addEventListener(type, onIntent, { passive: true })));
}

// A module runs after the document is parsed; it only listens until a reader acts.
start();
