// jobs.js: the job queue: how many jobs wait, run, are delayed or failed,
// and the recent jobs with their errors, attempts and traces.
"use strict";

(function (V) {
  const { el } = V;
  const STATES = ["waiting", "active", "delayed", "failed", "completed"];

  V.views.jobs = async function (root, params, ctx) {
    const state = params.get("state") || "";
    const [counts, jobs] = await Promise.all([
      V.api("GET", "/queue"),
      V.api("GET", "/jobs" + V.query({ state, limit: 100 })),
    ]);
    const tiles = STATES.map((s) => el("a", { class: "tile" + (s === state ? " current" : ""), href: "#/jobs" + V.query({ state: s }) },
      el("span", { class: "tile-count" }, String(counts.counts[s] ?? 0)), el("span", { class: "tile-label" }, s)));
    const rows = jobs.items.map((job) => el("tr", { class: "job-" + job.state },
      el("td", null, el("code", null, job.id)),
      el("td", null, job.name),
      el("td", null, job.tenant || el("span", { class: "muted" }, "—")),
      el("td", null, V.badge(job.state, job.state === "failed" ? "failed" : job.state === "completed" ? "ok" : "partial")),
      el("td", { class: "num" }, job.attempts_made + " / " + job.max_attempts),
      el("td", null, V.ago(job.created_at)),
      el("td", { class: "error" }, job.error || ""),
      el("td", null, job.trace_id ? el("a", { href: "#/trace/" + job.trace_id }, job.trace_id.slice(0, 8)) : "")));
    V.replace(root,
      el("header", { class: "view-head" }, el("h1", null, "Jobs"), state ? el("a", { class: "button secondary", href: "#/jobs" }, "All states") : null),
      el("nav", { class: "tiles", "aria-label": "Jobs by state" }, tiles),
      rows.length === 0 ? el("p", { class: "muted" }, "No jobs.") :
        el("div", { class: "table-wrap" }, el("table", null,
          el("thead", null, el("tr", null, ["Job", "Name", "Tenant", "State", "Attempts", "Created", "Error", "Trace"].map((h) => el("th", { scope: "col" }, h)))),
          el("tbody", null, rows))));
    ctx.onLive(() => V.route());
  };
})(window.vigil);
