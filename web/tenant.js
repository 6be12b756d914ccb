// tenant.js: one tenant: its data sources (schedule, last sync, what data
// they could not give and why; sync now), its preferences (edit), its
// channels and recent notifications.
"use strict";

(function (V) {
  const { el } = V;

  function sourceRow(source) {
    const status = el("span", { role: "status" });
    const sync = el("button", { type: "button", onclick: async () => {
      sync.disabled = true;
      try {
        const job = await V.api("POST", "/sources/" + source.id + "/sync", {});
        V.replace(status, "Sync queued: job " + job.job_id + " · ", el("a", { href: "#/trace/" + job.trace_id }, "trace"));
      } catch (e) {
        V.replace(status, el("span", { class: "error" }, e.message));
      }
      sync.disabled = false;
    } }, "Sync now");
    const last = source.last_sync;
    const gaps = source.not_available || [];
    return el("tr", null,
      el("th", { scope: "row" }, source.name, el("div", { class: "muted" }, source.provider)),
      el("td", null, source.schedule ? (source.schedule.enabled ? "every " + source.schedule.every : "paused") : "—",
        source.schedule && source.schedule.next_run_at ? el("div", { class: "muted" }, "next " + V.time(source.schedule.next_run_at)) : null),
      el("td", null, last ? [V.badge(last.status, last.status === "succeeded" ? "ok" : "failed"), " ", V.ago(last.at), last.error ? el("div", { class: "error" }, last.error) : null] : el("span", { class: "muted" }, "never")),
      el("td", null, gaps.length === 0 ? el("span", { class: "muted" }, "all data available")
        : el("ul", { class: "problems" }, gaps.map((g) => el("li", null, typeof g === "string" ? g : (g.kind || "") + ": " + (g.reason || ""))))),
      el("td", null, sync, status));
  }

  const NUMBER_PREFS = ["stale_days", "min_global_admins", "max_global_admins", "max_sync_age_hours", "flap_threshold"];

  function preferencesForm(tenant, prefs, alertTypes) {
    const status = el("p", { role: "status" });
    const inputs = {};
    const fields = NUMBER_PREFS.filter((k) => k in prefs).map((key) => {
      inputs[key] = el("input", { type: "number", name: key, value: prefs[key], min: 0 });
      return el("label", null, key.replace(/_/g, " "), inputs[key]);
    });
    const disabled = new Set(prefs.disabled_alert_types || []);
    const boxes = alertTypes.map((type) => el("label", { class: "check" }, el("input", { type: "checkbox", name: "enabled", value: type, checked: !disabled.has(type) }), type));
    const form = el("form", { class: "prefs", "aria-label": "Preferences" },
      el("div", { class: "fields" }, fields),
      el("fieldset", null, el("legend", null, "Alert types on"), el("div", { class: "types" }, boxes)),
      el("button", { type: "submit" }, "Save preferences"),
      status);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = {};
      for (const [key, input] of Object.entries(inputs)) {
        if (String(prefs[key]) !== input.value) body[key] = Number(input.value);
      }
      const on = new Set(new FormData(form).getAll("enabled"));
      const off = alertTypes.filter((t) => !on.has(t));
      if (off.join() !== [...disabled].sort().join()) body.disabled_alert_types = off;
      try {
        const saved = await V.api("PUT", "/tenants/" + encodeURIComponent(tenant) + "/preferences", body);
        Object.assign(prefs, saved);
        V.replace(status, "Saved.");
      } catch (e) {
        V.replace(status, el("span", { class: "error" }, e.message));
      }
    });
    return form;
  }

  function table(headers, rows, empty) {
    if (rows.length === 0) return el("p", { class: "muted" }, empty);
    return el("div", { class: "table-wrap" }, el("table", null,
      el("thead", null, el("tr", null, headers.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", null, rows)));
  }

  V.views.tenant = async function (root, params, ctx, name) {
    const q = V.query({ tenant: name });
    const [tenant, sources, prefs, channels, notifications, types] = await Promise.all([
      V.api("GET", "/tenants/" + encodeURIComponent(name)),
      V.api("GET", "/sources" + q),
      V.api("GET", "/tenants/" + encodeURIComponent(name) + "/preferences"),
      V.api("GET", "/channels" + q).catch(() => ({ items: [] })),
      V.api("GET", "/notifications" + V.query({ tenant: name, limit: 20 })).catch(() => ({ items: [] })),
      V.alertTypes(),
    ]);
    const open = tenant.open_alerts || {};
    V.replace(root,
      el("header", { class: "view-head" }, el("h1", null, tenant.name),
        el("a", { class: "button", href: "#/alerts" + q }, (open.total || 0) + " open alerts")),
      el("p", { class: "summary" }, V.SEVERITIES.map((s) => [V.badge(s), " " + (open[s] || 0) + "  "])),
      el("h2", null, "Data sources"),
      table(["Source", "Schedule", "Last sync", "Data not available", ""], sources.items.map(sourceRow), "No data sources."),
      el("h2", null, "Preferences"),
      preferencesForm(name, prefs, types),
      el("h2", null, "Channels"),
      table(["Channel", "Kind", "Route"], channels.items.map((c) => el("tr", null,
        el("th", { scope: "row" }, c.name), el("td", null, c.kind || ""), el("td", { class: "muted" }, JSON.stringify(c.route || {})))), "No channels."),
      el("h2", null, "Recent notifications"),
      table(["When", "Channel", "State", "Alert"], notifications.items.map((n) => el("tr", null,
        el("td", null, V.time(n.created_at || n.at)), el("td", null, n.channel || ""), el("td", null, n.state || ""),
        el("td", null, n.alert_id ? el("a", { href: "#/alert/" + n.alert_id }, String(n.alert_id)) : ""))), "No notifications."));
  };
})(window.vigil);
