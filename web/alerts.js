// alerts.js: one list of alerts across every tenant the token may see, with
// filters in the URL, keyset paging, bulk acknowledge / snooze and CSV export.
"use strict";

(function (V) {
  const { el } = V;
  const PAGE = 100;
  const TRISTATE = ["flapping", "snoozed", "acknowledged"];

  // The filter of the URL, as API query parameters.
  function filterOf(params) {
    const f = {};
    for (const key of ["tenant", "type", "severity", "state", "q", ...TRISTATE]) {
      const v = params.get(key);
      if (v) f[key] = v;
    }
    return f;
  }

  function select(name, label, options, value) {
    return el("label", null, label,
      el("select", { name }, options.map(([v, text]) => el("option", { value: v, selected: v === (value || "") }, text))));
  }

  function filterForm(filter, tenants) {
    const severities = (filter.severity || "").split(",").filter(Boolean);
    const form = el("form", { class: "filters", "aria-label": "Filter alerts" },
      tenants
        ? select("tenant", "Tenant", [["", "All tenants"], ...tenants.map((t) => [t, t])], filter.tenant)
        : null,
      el("label", null, "Type", el("input", { name: "type", value: filter.type || "", placeholder: "mfa.* or stale.user", size: 16 })),
      el("fieldset", { class: "severities" }, el("legend", null, "Severity"),
        V.SEVERITIES.map((s) => el("label", { class: "check" }, el("input", { type: "checkbox", name: "severity", value: s, checked: severities.includes(s) }), s))),
      select("state", "State", [["", "Open"], ["resolved", "Resolved"], ["all", "All"]], filter.state),
      TRISTATE.map((key) => select(key, key[0].toUpperCase() + key.slice(1), [["", "Any"], ["true", "Yes"], ["false", "No"]], filter[key])),
      el("label", null, "Search", el("input", { type: "search", name: "q", value: filter.q || "", placeholder: "UPN or SKU" })),
      el("button", { type: "submit" }, "Apply"),
      el("a", { href: "#/alerts", class: "button secondary" }, "Clear"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const next = {};
      for (const [k, v] of data.entries()) {
        if (k === "severity" || !v) continue;
        next[k] = v;
      }
      const checked = data.getAll("severity");
      if (checked.length) next.severity = checked.join(",");
      location.hash = "#/alerts" + V.query(next);
    });
    return form;
  }

  function flags(alert) {
    return [
      alert.flapping ? V.badge("flapping", "flapping") : null,
      alert.snoozed_until && new Date(alert.snoozed_until) > new Date() ? el("span", { class: "badge badge-snoozed", title: "until " + V.time(alert.snoozed_until) }, "snoozed") : null,
      alert.acknowledged ? el("span", { class: "badge badge-acknowledged", title: "by " + alert.acknowledged.by + ", " + V.time(alert.acknowledged.at) }, "acknowledged") : null,
    ];
  }

  function alertRow(alert, selected, onToggle) {
    const box = el("input", { type: "checkbox", "aria-label": "Select alert " + alert.id, checked: selected.has(alert.id) });
    box.addEventListener("change", () => onToggle(alert.id, box.checked));
    return el("tr", { dataset: { alertId: alert.id }, class: "row-" + alert.state },
      el("td", null, box),
      el("td", null, V.badge(alert.severity)),
      el("td", null, el("a", { href: "#/alert/" + alert.id }, alert.type)),
      el("td", { class: "subject" }, alert.subject_name),
      el("td", null, el("a", { href: "#/tenant/" + encodeURIComponent(alert.tenant) }, alert.tenant)),
      el("td", null, alert.state),
      el("td", null, V.ago(alert.first_seen)),
      el("td", null, flags(alert)));
  }

  // The bar that acts on the selected alerts.
  function bulkBar(selected, onDone) {
    const count = el("span", { class: "count", role: "status" });
    const week = new Date(Date.now() + 7 * 86400e3).toISOString().slice(0, 10);
    const until = el("input", { type: "date", name: "until", value: week, "aria-label": "Snooze until" });
    const reason = el("input", { name: "reason", placeholder: "Reason", maxlength: 500, "aria-label": "Reason" });
    const status = el("span", { class: "bulk-status", role: "status" });
    async function act(action) {
      const body = { ids: [...selected], action };
      if (reason.value) body.reason = reason.value;
      if (action === "snooze") {
        if (!until.value) return V.replace(status, "Choose a date to snooze until.");
        body.until = until.value + "T00:00:00Z";
      }
      try {
        const result = await V.api("POST", "/alerts/bulk", body);
        V.replace(status, (action === "snooze" ? "Snoozed " : action === "acknowledge" ? "Acknowledged " : "Unsnoozed ") + result.items.length + " alerts.");
        onDone();
      } catch (e) {
        V.replace(status, el("span", { class: "error" }, e.message));
      }
    }
    const buttons = [
      el("button", { type: "button", onclick: () => act("acknowledge") }, "Acknowledge"),
      el("button", { type: "button", onclick: () => act("snooze") }, "Snooze"),
      until,
      reason,
      el("button", { type: "button", class: "secondary", onclick: () => act("unsnooze") }, "Unsnooze"),
    ];
    const bar = el("div", { class: "bulk", role: "region", "aria-label": "Act on selected alerts" }, count, buttons, status);
    bar.update = () => {
      V.replace(count, selected.size + " selected");
      for (const b of buttons) if (b.tagName === "BUTTON") b.disabled = selected.size === 0;
    };
    bar.update();
    return bar;
  }

  V.views.alerts = async function (root, params, ctx) {
    const filter = filterOf(params);
    const me = V.session.me;
    const tenants = me.admin ? (await V.api("GET", "/tenants")).items.map((t) => t.name) : null;
    const selected = new Set();
    let alerts = [];
    let cursor = null;

    const body = el("tbody");
    const summary = el("p", { class: "summary", role: "status" });
    const more = el("button", { type: "button", class: "secondary" }, "Load more");
    const all = el("input", { type: "checkbox", "aria-label": "Select all shown" });
    const bar = bulkBar(selected, () => refresh());

    function toggle(id, on) {
      if (on) selected.add(id);
      else selected.delete(id);
      bar.update();
    }
    function render() {
      V.replace(body, alerts.map((a) => alertRow(a, selected, toggle)));
      V.replace(summary, alerts.length + (cursor ? "+" : "") + " alerts");
      more.hidden = !cursor;
      all.checked = alerts.length > 0 && alerts.every((a) => selected.has(a.id));
      bar.update();
    }
    // A filtered page looks at a bounded stretch of alerts (the API's
    // contract), so a rare match can come back short or empty with a cursor:
    // follow it until the page is full or the list ends.
    async function load(after, limit) {
      const items = [];
      let cursor = after;
      for (let pages = 0; pages < 100; pages++) {
        const page = await V.api("GET", "/alerts" + V.query(Object.assign({}, filter, { limit: limit - items.length, cursor })));
        items.push(...page.items);
        cursor = page.next_cursor;
        if (!cursor || items.length >= limit) break;
      }
      return { items, next_cursor: cursor };
    }
    // Reloads what is shown (live updates, after an action), keeping the selection.
    async function refresh() {
      const page = await load(null, Math.min(1000, Math.max(PAGE, alerts.length)));
      alerts = page.items;
      cursor = page.next_cursor;
      const shown = new Set(alerts.map((a) => a.id));
      for (const id of [...selected]) if (!shown.has(id)) selected.delete(id);
      render();
    }
    more.addEventListener("click", async () => {
      const page = await load(cursor, PAGE);
      alerts = alerts.concat(page.items);
      cursor = page.next_cursor;
      render();
    });
    all.addEventListener("change", () => {
      for (const a of alerts) toggle(a.id, all.checked);
      render();
    });
    const exportButton = el("button", { type: "button", class: "secondary", onclick: async () => {
      try {
        await V.download("/alerts" + V.query(Object.assign({}, filter, { format: "csv" })), "text/csv", "alerts.csv");
      } catch (e) {
        V.replace(summary, el("span", { class: "error" }, e.message));
      }
    } }, "Export CSV");

    V.replace(root,
      el("header", { class: "view-head" }, el("h1", null, "Alerts"), exportButton),
      filterForm(filter, tenants),
      bar,
      summary,
      el("div", { class: "table-wrap" }, el("table", { class: "alerts" },
        el("thead", null, el("tr", null,
          el("th", { scope: "col" }, all),
          ["Severity", "Type", "Subject", "Tenant", "State", "First seen", ""].map((h) => el("th", { scope: "col" }, h)))),
        body)),
      more);
    await refresh();
    ctx.onLive((events) => {
      if (!events || events.some((e) => e.type.startsWith("alert."))) refresh();
    });
  };
})(window.vigil);
