"""Triage as a technician does it: filter, select, bulk-snooze with a reason;
open an alert, read its timeline, follow it to its trace."""

import datetime

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from common_steps import alert_rows, go, sign_in, view_text, wait_rendered, rendered_count


def test_filter_then_bulk_snooze_three_alerts_with_a_reason(c):
    sign_in(c, c.seed.admin_token, "/#/alerts")
    form = c.driver.find_element(By.CSS_SELECTOR, "form.filters")
    Select(form.find_element(By.NAME, "tenant")).select_by_value("contoso")
    form.find_element(By.NAME, "type").send_keys("mfa.*")
    before = rendered_count(c, "alerts")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_rendered(c, "alerts", before)
    c.check("type=mfa.*" in c.driver.current_url.replace("%2A", "*"),
            f"the filter is not in the URL: {c.driver.current_url}")

    rows = c.driver.find_elements(By.CSS_SELECTOR, "table.alerts tbody tr")
    c.check(len(rows) >= 3, f"only {len(rows)} mfa alerts of contoso to choose from")
    for row in rows:
        cells = row.find_elements(By.TAG_NAME, "td")
        c.check(cells[2].text.startswith("mfa.") and cells[4].text == "contoso",
                f"a row does not match the filter: {row.text}")
    chosen = alert_rows(c)[:3]
    for row in rows[:3]:
        row.find_element(By.CSS_SELECTOR, "input[type=checkbox]").click()
    bar = c.driver.find_element(By.CSS_SELECTOR, "div.bulk")
    c.check("3 selected" in bar.text, f"the bulk bar says {bar.text!r}")
    until = (datetime.date.today() + datetime.timedelta(days=14)).isoformat()
    date = bar.find_element(By.NAME, "until")
    c.driver.execute_script("arguments[0].value = arguments[1]", date, until)
    bar.find_element(By.NAME, "reason").send_keys("onboarding: known, fixing this week")
    snooze = [b for b in bar.find_elements(By.TAG_NAME, "button") if b.text == "Snooze"][0]
    snooze.click()
    c.wait_for(lambda: "Snoozed 3 alerts." in bar.text, "the bulk snooze to be confirmed")

    for alert_id in chosen:
        alert = c.api(c.seed.admin_token, "GET", f"/api/v1/alerts/{alert_id}").json()
        c.check(alert["snoozed_until"] and alert["snoozed_until"].startswith(until),
                f"alert {alert_id} is snoozed until {alert['snoozed_until']}, not {until}")
        actions = [a for a in alert["actions"] if a["action"] == "snoozed"]
        c.check(len(actions) == 1 and actions[0]["reason"] == "onboarding: known, fixing this week",
                f"alert {alert_id}'s actions: {alert['actions']}")
        c.check(actions[0]["by"] == "console-admin", f"snoozed by {actions[0]['by']}")
    # The list shows them snoozed now.
    c.wait_for(lambda: all(
        "snoozed" in c.driver.find_element(By.CSS_SELECTOR, f"tr[data-alert-id='{i}']").text
        for i in chosen), "the snoozed badges")


def test_an_alert_shows_its_timeline_and_its_trace_as_a_waterfall(c):
    contoso = c.seed.tenants["contoso"]
    alerts = c.api(contoso.token, "GET", "/api/v1/alerts?type=mfa.user_not_registered").json()
    alert = alerts["items"][0]
    sign_in(c, contoso.token, f"/#/alert/{alert['id']}")
    text = view_text(c)
    c.check(alert["type"] in text and alert["subject_name"] in text,
            f"the alert page does not name its type and subject: {text[:300]}")
    history = c.api(contoso.token, "GET", f"/api/v1/alerts/{alert['id']}/history").json()["items"]
    entries = c.driver.find_elements(By.CSS_SELECTOR, "ol.timeline li.change")
    c.check(len(entries) == len(history),
            f"the timeline has {len(entries)} changes, the history {len(history)}")
    c.check("opened" in entries[0].text and history[0]["reason"] in entries[0].text,
            f"the first change reads {entries[0].text!r}")

    link = entries[0].find_element(By.PARTIAL_LINK_TEXT, "trace")
    before = rendered_count(c, "trace")
    link.click()
    wait_rendered(c, "trace", before)
    trace_id = history[0]["trace_id"]
    c.check(c.driver.current_url.endswith("#/trace/" + trace_id), c.driver.current_url)
    spans = c.api(contoso.token, "GET", f"/api/v1/traces/{trace_id}").json()["spans"]
    rows = c.driver.find_elements(By.CSS_SELECTOR, "table.waterfall tbody tr")
    shown = sorted(r.get_attribute("data-span") for r in rows)
    c.check(shown == sorted(s["name"] for s in spans),
            f"the waterfall shows {shown}, the trace has {sorted(s['name'] for s in spans)}")
    for name in ("trigger", "sync", "provider.fetch", "sync.apply", "analyze", "context.load",
                 "analyze.mfa", "reconcile"):
        c.check(name in shown, f"the waterfall has no {name} span")
    by_name = {s["name"]: s for s in spans}
    reconcile = [r for r in rows if r.get_attribute("data-span") == "reconcile"][0]
    cells = reconcile.find_elements(By.TAG_NAME, "td")
    c.check(cells[1].text == str(by_name["reconcile"]["statements"]),
            f"reconcile shows {cells[1].text} statements, the trace {by_name['reconcile']['statements']}")
    c.check(cells[0].text.endswith(" ms"), f"reconcile's time reads {cells[0].text!r}")
    bar = reconcile.find_element(By.CSS_SELECTOR, ".bar")
    c.check(bar.size["width"] >= 1, "the reconcile bar has no width")


def test_a_display_name_with_markup_renders_as_text_and_runs_nothing(c):
    user = c.seed.xss_user
    token = c.seed.tenants[user.tenant].token
    sign_in(c, token)
    c.driver.execute_script(
        "window.__alerted = 0; window.alert = () => { window.__alerted += 1; };")
    go(c, f"#/alert/{user.alert_id}")
    c.check(user.display_name in view_text(c),
            f"the page does not show {user.display_name!r} as text")
    images = c.driver.find_elements(By.CSS_SELECTOR, "#view img")
    c.check(not images, f"the display name became {len(images)} <img> elements")
    go(c, "#/alerts?q=" + user.upn.split("@")[0])
    c.check(user.alert_id in alert_rows(c), "the search does not find the user's alert")
    c.check(not c.driver.find_elements(By.CSS_SELECTOR, "#view img"), "an <img> in the list")
    alerts = c.driver.execute_script("return window.__alerted")
    c.check(alerts == 0, "a script ran")
    errors = [m for m in c.console_messages() if "Content Security Policy" in m.get("message", "")]
    c.check(not errors, f"something tried to run and was blocked: {errors}")
