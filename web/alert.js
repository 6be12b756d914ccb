// alert.js: one alert: what it is, its timeline (every change of the finding
// from its history and every operator action, oldest first) with a link to
// the trace of each change.
"use strict";

(function (V) {
  const { el } = V;

  function timeline(alert) {
    const entries = [];
    for (const h of alert.history || []) {
      entries.push({ at: h.at, kind: "history", node: el("li", { class: "change change-" + h.transition },
        el("span", { class: "when" }, V.time(h.at)),
        el("strong", null, h.transition),
        " ",
        el("span", null, (h.from_state || "new") + " → " + h.to_state + ", " + h.severity),
        el("p", { class: "reason" }, h.reason),
        el("p", { class: "meta" }, "rule v" + h.rule_version + " · ", el("a", { href: "#/trace/" + h.trace_id }, "trace " + h.trace_id.slice(0, 8)))) });
    }
    for (const a of alert.actions || []) {
      entries.push({ at: a.at, kind: "action", node: el("li", { class: "action action-" + a.action },
        el("span", { class: "when" }, V.time(a.at)),
        el("strong", null, a.action),
        " by ",
        el("span", null, a.by),
        a.until ? " until " + V.time(a.until) : "",
        a.reason ? el("p", { class: "reason" }, a.reason) : null) });
    }
    entries.sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : x.kind === "history" ? -1 : 1));
    return el("ol", { class: "timeline" }, entries.map((e) => e.node));
  }

  function actions(alert, reload) {
    const status = el("span", { role: "status" });
    const week = new Date(Date.now() + 7 * 86400e3).toISOString().slice(0, 10);
    const until = el("input", { type: "date", value: week, "aria-label": "Snooze until" });
    const reason = el("input", { placeholder: "Reason", maxlength: 500, "aria-label": "Reason" });
    async function run(action) {
      const body = { ids: [alert.id], action };
      if (reason.value) body.reason = reason.value;
      if (action === "snooze") body.until = until.value + "T00:00:00Z";
      try {
        await V.api("POST", "/alerts/bulk", body);
        reload();
      } catch (e) {
        V.replace(status, el("span", { class: "error" }, e.message));
      }
    }
    return el("div", { class: "bulk" },
      el("button", { type: "button", onclick: () => run("acknowledge"), disabled: !!alert.acknowledged }, "Acknowledge"),
      el("button", { type: "button", onclick: () => run("snooze") }, "Snooze"), until, reason,
      alert.snoozed_until ? el("button", { type: "button", class: "secondary", onclick: () => run("unsnooze") }, "Unsnooze") : null,
      status);
  }

  V.views.alert = async function (root, params, ctx, id) {
    const alert = await V.api("GET", "/alerts/" + encodeURIComponent(id));
    const reload = () => V.route();
    V.replace(root,
      el("p", { class: "crumbs" }, el("a", { href: "#/alerts" + V.query({ tenant: alert.tenant }) }, "Alerts of " + alert.tenant)),
      el("header", { class: "view-head" },
        el("h1", null, V.badge(alert.severity), " ", alert.type),
        el("span", { class: "state state-" + alert.state }, alert.state)),
      el("p", { class: "subject" }, alert.subject_name, " ", el("span", { class: "muted" }, "(" + alert.subject + ")")),
      el("dl", { class: "facts" },
        el("dt", null, "Tenant"), el("dd", null, el("a", { href: "#/tenant/" + encodeURIComponent(alert.tenant) }, alert.tenant)),
        el("dt", null, "First seen"), el("dd", null, V.time(alert.first_seen)),
        el("dt", null, "Last seen"), el("dd", null, V.time(alert.last_seen)),
        el("dt", null, "Resolved"), el("dd", null, alert.resolved_at ? V.time(alert.resolved_at) : "no"),
        el("dt", null, "Flapping"), el("dd", null, alert.flapping ? "yes" : "no"),
        el("dt", null, "Acknowledged"), el("dd", null, alert.acknowledged ? alert.acknowledged.by + ", " + V.time(alert.acknowledged.at) : "no"),
        el("dt", null, "Snoozed until"), el("dd", null, alert.snoozed_until ? V.time(alert.snoozed_until) : "not snoozed"),
        el("dt", null, "Latest trace"), el("dd", null, el("a", { href: "#/trace/" + alert.last_trace_id }, alert.last_trace_id))),
      actions(alert, reload),
      el("h2", null, "Details"),
      V.details(alert.details),
      el("h2", null, "Timeline"),
      timeline(alert));
    ctx.onLive((events) => {
      if (!events || events.some((e) => e.data && e.data.alert_id === alert.id)) reload();
    });
  };
})(window.vigil);
