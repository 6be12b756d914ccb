"""Steps the console's browser tests share: signing in, reading tables."""

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys


def sign_in(c, token, path="/#/overview"):
    """Opens the console at `path` and signs in with `token` as a user does:
    typing it into the sign-in form and pressing Enter."""
    c.open(path)
    field = c.wait_for(lambda: c.driver.find_element(By.ID, "token"), "the sign-in form")
    c.wait_for(lambda: field.is_displayed(), "the token field to show")
    field.send_keys(token)
    field.send_keys(Keys.ENTER)
    c.wait_for(lambda: c.driver.find_element(By.ID, "shell").is_displayed(), "the console to open")
    # Every view marks the moment its data is on screen.
    view = path.split("#/")[-1].split("?")[0].split("/")[0] or "overview"
    wait_rendered(c, view)


def wait_rendered(c, view, after=0):
    """Waits until view `view` has rendered more than `after` times."""
    return c.wait_for(
        lambda: c.driver.execute_script(
            "return performance.getEntriesByName(arguments[0]).length > arguments[1]",
            "vigil:rendered:" + view, after),
        f"the {view} view to render")


def rendered_count(c, view):
    return c.driver.execute_script(
        "return performance.getEntriesByName(arguments[0]).length", "vigil:rendered:" + view)


def go(c, hash_path):
    """Follows an in-page link to `hash_path` (e.g. "#/alerts?tenant=x") and
    waits for the view to render."""
    view = hash_path[2:].split("?")[0].split("/")[0]
    before = rendered_count(c, view)
    c.driver.execute_script("location.hash = arguments[0]", hash_path)
    wait_rendered(c, view, before)


def view_text(c):
    return c.driver.find_element(By.ID, "view").text


def alert_rows(c):
    """The alert ids of the rows of the alerts table, in order."""
    return [int(row.get_attribute("data-alert-id"))
            for row in c.driver.find_elements(By.CSS_SELECTOR, "table.alerts tbody tr")]


def all_alerts(c, token, query=""):
    """Every alert the API gives `token` for `query`, through every page."""
    items, cursor = [], None
    while True:
        path = "/api/v1/alerts?limit=1000" + query + (f"&cursor={cursor}" if cursor else "")
        reply = c.api(token, "GET", path)
        c.check(reply.status == 200, f"GET {path}: {reply.status} {reply.text()}")
        page = reply.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def names_tenant(c, tenant):
    """Whether the view shows `tenant` as a tenant: a link to it, a row of
    it, or its name anywhere outside subjects and details (a guest's UPN
    may carry another company's domain, "x_fabrikam.com#EXT#@...")."""
    return c.driver.execute_script("""
        const view = document.getElementById("view").cloneNode(true);
        if (view.querySelector(`a[href^="#/tenant/${arguments[0]}"], [data-tenant="${arguments[0]}"]`))
          return true;
        view.querySelectorAll(".subject, .details").forEach((n) => n.remove());
        return view.textContent.includes(arguments[0]);
    """, tenant)
