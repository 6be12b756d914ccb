// trace.js: one trace as a waterfall: each span a bar placed by its start
// and length on the trace's time axis, indented under its parent, with its
// milliseconds and database statements.
"use strict";

(function (V) {
  const { el } = V;

  // Spans in tree order (parents before children, siblings by start), each
  // with its depth.
  function ordered(spans) {
    const children = new Map();
    const ids = new Set(spans.map((s) => s.span_id));
    for (const s of spans) {
      const parent = s.parent_span_id && ids.has(s.parent_span_id) ? s.parent_span_id : null;
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(s);
    }
    const out = [];
    const walk = (parent, depth) => {
      const list = (children.get(parent) || []).slice().sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
      for (const s of list) {
        out.push({ span: s, depth });
        walk(s.span_id, depth + 1);
      }
    };
    walk(null, 0);
    return out;
  }

  function bar(span, t0, total) {
    const offset = ((Date.parse(span.start) - t0) / total) * 100;
    const width = Math.max(0.3, (span.duration_ms / total) * 100);
    const track = el("div", { class: "track" });
    const b = el("div", { class: "bar status-" + span.status });
    // CSSOM, not a style attribute: allowed by the Content-Security-Policy.
    b.style.marginLeft = Math.min(99.7, offset).toFixed(2) + "%";
    b.style.width = Math.min(100 - Math.min(99.7, offset), width).toFixed(2) + "%";
    track.appendChild(b);
    return track;
  }

  V.views.trace = async function (root, params, ctx, id) {
    const trace = await V.api("GET", "/traces/" + encodeURIComponent(id));
    const spans = trace.spans;
    const t0 = Math.min(...spans.map((s) => Date.parse(s.start)));
    const end = Math.max(...spans.map((s) => Date.parse(s.start) + s.duration_ms));
    const total = Math.max(1, end - t0);
    const rows = ordered(spans).map(({ span, depth }) => {
      const name = el("span", { class: "span-name" }, span.name);
      name.style.paddingLeft = depth * 1.1 + "em";
      const attributes = Object.entries(span.attributes || {}).map(([k, v]) => k + "=" + v).join(" ");
      return el("tr", { class: "span", dataset: { span: span.name } },
        el("th", { scope: "row", title: attributes }, name),
        el("td", { class: "num" }, span.duration_ms.toFixed(span.duration_ms < 10 ? 2 : 0) + " ms"),
        el("td", { class: "num" }, String(span.statements)),
        el("td", { class: "waterfall-cell" }, bar(span, t0, total)));
    });
    V.replace(root,
      el("header", { class: "view-head" }, el("h1", null, "Trace ", el("code", null, id))),
      el("p", { class: "summary" }, spans.length + " spans, " + total.toFixed(1) + " ms from first start to last end"),
      el("div", { class: "table-wrap" }, el("table", { class: "waterfall" },
        el("thead", null, el("tr", null, ["Span", "Time", "Statements", ""].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", null, rows))));
  };
})(window.vigil);
