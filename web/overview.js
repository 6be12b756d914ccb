// overview.js: every tenant in one table (GET /api/v1/overview), worst first.
"use strict";

(function (V) {
  const { el } = V;

  const COLUMNS = [
    { key: "tenant", label: "Tenant", value: (t) => t.tenant },
    ...V.SEVERITIES.map((s) => ({ key: s, label: s[0].toUpperCase() + s.slice(1), value: (t) => t.open[s], numeric: true })),
    { key: "total", label: "Open", value: (t) => t.open.total, numeric: true },
    { key: "trend", label: "Last 30 days", value: null },
    { key: "sources", label: "Data sources", value: (t) => sourceProblems(t).length },
    { key: "last_sync_at", label: "Last sync", value: (t) => t.last_sync_at || "" },
    { key: "last_analysis_at", label: "Last analysis", value: (t) => t.last_analysis_at || "" },
  ];

  // Worst first: by critical, high, medium, low, then name.
  function worstFirst(a, b) {
    for (const s of V.SEVERITIES) if (a.open[s] !== b.open[s]) return b.open[s] - a.open[s];
    return a.tenant.localeCompare(b.tenant);
  }

  function sourceProblems(tenant) {
    const problems = [];
    for (const source of tenant.sources || []) {
      if (source.status !== "ok") {
        problems.push({ source, text: source.name + ": " + source.status + (source.error ? " (" + source.error + ")" : "") });
      }
      for (const gap of source.unavailable || []) {
        problems.push({ source, text: source.name + ": " + gap.kind + " not available: " + gap.reason });
      }
    }
    return problems;
  }

  // The open alerts of the last 30 days as a small line (inline SVG).
  function sparkline(trend) {
    const width = 120;
    const height = 28;
    const values = (trend || []).map((d) => d.open);
    const max = Math.max(1, ...values);
    const step = values.length > 1 ? width / (values.length - 1) : width;
    const points = values.map((v, i) => (i * step).toFixed(1) + "," + (height - 2 - (v / max) * (height - 4)).toFixed(1));
    const first = trend && trend.length ? trend[0] : null;
    const last = trend && trend.length ? trend[trend.length - 1] : null;
    const label = first ? "open alerts from " + first.open + " on " + first.day + " to " + last.open + " on " + last.day : "no trend";
    return V.svg("svg", { class: "sparkline", width, height, viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": label },
      V.svg("title", null, label),
      V.svg("polyline", { points: points.join(" "), fill: "none", "stroke-width": 1.5 }));
  }

  function sourcesCell(tenant) {
    const problems = sourceProblems(tenant);
    if ((tenant.sources || []).length === 0) return el("span", { class: "muted" }, "none");
    if (problems.length === 0) return V.badge("ok", "ok");
    return el("ul", { class: "problems" }, problems.map((p) => el("li", null, V.badge(p.source.status === "ok" ? "partial" : p.source.status, p.source.status === "ok" ? "partial" : "failed"), " ", p.text)));
  }

  function countLink(tenant, severity, n) {
    if (!n) return el("span", { class: "muted" }, "0");
    const query = { tenant: tenant.tenant };
    if (severity) query.severity = severity;
    return el("a", { href: "#/alerts" + V.query(query), class: severity ? "sev-" + severity : "" }, String(n));
  }

  function row(tenant) {
    return el("tr", { dataset: { tenant: tenant.tenant } },
      el("th", { scope: "row" }, el("a", { href: "#/tenant/" + encodeURIComponent(tenant.tenant) }, tenant.tenant)),
      V.SEVERITIES.map((s) => el("td", { class: "num" }, countLink(tenant, s, tenant.open[s]))),
      el("td", { class: "num total" }, countLink(tenant, null, tenant.open.total)),
      el("td", null, sparkline(tenant.trend)),
      el("td", null, sourcesCell(tenant)),
      el("td", null, V.ago(tenant.last_sync_at)),
      el("td", null, V.ago(tenant.last_analysis_at)));
  }

  V.views.overview = async function (root, params, ctx) {
    let data = await V.api("GET", "/overview");
    let sortKey = params.get("sort") || "";
    let descending = params.get("dir") !== "asc";
    let filter = params.get("filter") || "";

    const body = el("tbody");
    const summary = el("p", { class: "summary", role: "status" });
    const input = el("input", { type: "search", id: "overview-filter", placeholder: "Filter tenants", value: filter, "aria-label": "Filter tenants by name" });
    const headRow = el("tr");

    function render() {
      let rows = data.tenants.filter((t) => t.tenant.toLowerCase().includes(filter.toLowerCase()));
      const column = COLUMNS.find((c) => c.key === sortKey && c.value);
      if (column) {
        rows = rows.slice().sort((a, b) => {
          const x = column.value(a);
          const y = column.value(b);
          const order = typeof x === "number" ? x - y : String(x).localeCompare(String(y));
          return descending ? -order : order;
        });
      } else {
        rows = rows.slice().sort(worstFirst);
      }
      V.replace(body, rows.map(row));
      const open = rows.reduce((n, t) => n + t.open.total, 0);
      V.replace(summary, rows.length + " of " + data.tenants.length + " tenants, " + open + " open alerts");
      V.replace(headRow, COLUMNS.map((c) => {
        if (!c.value) return el("th", { scope: "col" }, c.label);
        const sorted = c.key === sortKey;
        return el("th", { scope: "col", "aria-sort": sorted ? (descending ? "descending" : "ascending") : "none" },
          el("button", { type: "button", class: "sort", onclick: () => {
            descending = sorted ? !descending : c.key !== "tenant";
            sortKey = c.key;
            render();
          } }, c.label, sorted ? (descending ? " ▾" : " ▴") : ""));
      }));
    }

    input.addEventListener("input", () => {
      filter = input.value;
      render();
    });
    V.replace(root,
      el("header", { class: "view-head" }, el("h1", null, "Overview"), input),
      summary,
      el("div", { class: "table-wrap" }, el("table", { class: "overview" }, el("thead", null, headRow), body)));
    render();
    ctx.onLive(async () => {
      data = await V.api("GET", "/overview");
      render();
    });
  };
})(window.vigil);
