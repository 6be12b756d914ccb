"""An open alerts page follows the changes a sync makes, without a reload."""

import json
import os

from selenium.webdriver.common.by import By

from common_steps import alert_rows, sign_in


def _unregister_a_member(graph_dir):
    """Marks one registered, enabled member as not registered for MFA in the
    tenant's Graph directory; returns their user id and UPN."""
    with open(os.path.join(graph_dir, "users.json"), encoding="utf-8") as f:
        users = {u["id"]: u for u in json.load(f)["value"]}
    path = os.path.join(graph_dir, "userRegistrationDetails.json")
    with open(path, encoding="utf-8") as f:
        details = json.load(f)
    for row in details["value"]:
        user = users.get(row["id"])
        if (row.get("isMfaRegistered") and user and user["accountEnabled"]
                and user["userType"] == "Member"):
            row["isMfaRegistered"] = False
            row["methodsRegistered"] = []
            with open(path, "w", encoding="utf-8") as f:
                json.dump(details, f)
            return user["id"], user["userPrincipalName"]
    raise AssertionError(f"{graph_dir}: no registered member to change")


def test_a_sync_while_the_alerts_page_is_open_shows_the_new_alert_without_reload(c):
    contoso = c.seed.tenants["contoso"]
    sign_in(c, contoso.token, "/#/alerts?type=mfa.user_not_registered")
    c.wait_for(lambda: c.driver.execute_script("return window.vigil.liveState()") == "live",
               "the live stream to connect")
    c.driver.execute_script("window.__same_page = true;")
    before = set(alert_rows(c))

    user_id, upn = _unregister_a_member(contoso.graph_dir)
    sources = c.api(contoso.token, "GET", "/api/v1/sources").json()["items"]
    reply = c.api(contoso.token, "POST", f"/api/v1/sources/{sources[0]['id']}/sync", {})
    c.check(reply.status == 202, f"sync: {reply.status} {reply.text()}")

    new = c.wait_for(lambda: set(alert_rows(c)) - before, "a new alert to appear", timeout=60)
    c.check(len(new) == 1, f"{len(new)} new rows appeared: {new}")
    row = c.driver.find_element(By.CSS_SELECTOR, f"tr[data-alert-id='{new.pop()}']")
    c.check(upn in row.text, f"the new row is {row.text!r}, not {upn}'s alert")
    c.check(c.driver.execute_script("return window.__same_page === true"),
            "the page was reloaded")


def test_pages_left_behind_give_their_stream_back(c):
    """A browser opens about six connections to one server; a page that was
    left must not keep its stream's, or the seventh page waits for minutes."""
    sign_in(c, c.seed.tenants["contoso"].token, "/#/alerts")
    for visit in range(10):
        c.driver.get("about:blank")
        c.driver.get(c.url("/#/alerts"))
        c.wait_for(lambda: c.driver.execute_script(
            "return performance.getEntriesByName('vigil:rendered:alerts').length > 0"),
            f"visit {visit + 2} of the alerts page to render", timeout=15)
        c.wait_for(lambda: c.driver.execute_script("return window.vigil.liveState()") == "live",
                   f"visit {visit + 2}'s live stream to connect", timeout=15)
