"""A tenant token's console shows that tenant and nothing of any other: the
overview, the alert list (counts equal the API's), the requests the page
makes and the live updates it receives."""

from selenium.webdriver.common.by import By

from common_steps import alert_rows, all_alerts, go, names_tenant, sign_in


def test_the_overview_shows_only_the_tokens_tenant_with_the_apis_counts(c):
    contoso = c.seed.tenants["contoso"]
    sign_in(c, contoso.token)
    rows = c.driver.find_elements(By.CSS_SELECTOR, "table.overview tbody tr")
    names = [r.get_attribute("data-tenant") for r in rows]
    c.check(names == ["contoso"], f"the overview lists {names}, not only contoso")

    overview = c.api(contoso.token, "GET", "/api/v1/overview").json()["tenants"][0]
    cells = [td.text for td in rows[0].find_elements(By.CSS_SELECTOR, "td.num")]
    expected = [str(overview["open"][s]) for s in ("critical", "high", "medium", "low", "total")]
    c.check(cells == expected, f"the overview's counts are {cells}, the API's {expected}")
    c.check(overview["open"]["total"] == len(all_alerts(c, contoso.token)),
            "the overview's total is not the number of open alerts")
    c.check(not names_tenant(c, "fabrikam"), "the overview names fabrikam")


def test_the_alert_list_is_exactly_the_tenants_open_alerts(c):
    contoso = c.seed.tenants["contoso"]
    sign_in(c, contoso.token, "/#/alerts")
    expected = sorted(a["id"] for a in all_alerts(c, contoso.token))
    c.check(expected, "contoso has no open alerts to show")
    shown = alert_rows(c)
    c.check(sorted(shown) == expected,
            f"the list shows {len(shown)} alerts, the API {len(expected)}: "
            f"{sorted(set(shown) ^ set(expected))[:10]} differ")
    c.check(not names_tenant(c, "fabrikam"), "the alert list names fabrikam")
    tenants = {td.text for td in c.driver.find_elements(
        By.CSS_SELECTOR, "table.alerts tbody td:nth-child(5)")}
    c.check(tenants == {"contoso"}, f"the list's tenant column shows {tenants}")
    # The tenant filter offers no other tenant: a tenant token has none to choose.
    c.check(not c.driver.find_elements(By.CSS_SELECTOR, "select[name=tenant]"),
            "a tenant token is offered a tenant filter")


def test_no_request_and_no_live_update_concerns_another_tenant(c):
    contoso, fabrikam = c.seed.tenants["contoso"], c.seed.tenants["fabrikam"]
    sign_in(c, contoso.token, "/#/alerts")
    c.driver.execute_script(
        "window.__seen = []; window.vigil.on('live-event', e => window.__seen.push(e));")
    c.wait_for(lambda: c.driver.execute_script("return window.vigil.liveState()") == "live",
               "the live stream to connect")
    for path in ("#/overview", "#/jobs", "#/tenant/contoso", "#/alerts"):
        go(c, path)
        c.check(not names_tenant(c, "fabrikam"), f"{path} names fabrikam")

    # A sync of fabrikam (by the admin) makes events; a sync of contoso too.
    admin = c.seed.admin_token
    for tenant in (fabrikam, contoso):
        sources = c.api(admin, "GET", f"/api/v1/sources?tenant={tenant.name}").json()["items"]
        reply = c.api(admin, "POST", f"/api/v1/sources/{sources[0]['id']}/sync", {"force": True})
        c.check(reply.status == 202, f"sync of {tenant.name}: {reply.status} {reply.text()}")
    seen = c.wait_for(
        lambda: c.driver.execute_script(
            "return window.__seen.some(e => e.type.startsWith('sync.')) && window.__seen"),
        "contoso's sync to arrive live", timeout=60)
    tenants = {e["data"].get("tenant") for e in seen}
    c.check(tenants == {"contoso"}, f"the live stream delivered events of {tenants}")

    for r in c.requests():
        c.check("fabrikam" not in r.url, f"the page requested {r.url}")
        c.check(r.status in (200, 304) or r.status is None,
                f"{r.url} answered {r.status}")
