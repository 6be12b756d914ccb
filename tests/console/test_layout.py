"""The console at phone width, by keyboard alone, and in dark mode."""

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.action_chains import ActionChains

from common_steps import sign_in, wait_rendered, rendered_count


def _overflow(c):
    return c.driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_every_view_fits_a_phone_without_scrolling_sideways(c):
    c.set_viewport(390, 844, mobile=True)
    contoso = c.seed.tenants["contoso"]
    sign_in(c, contoso.token)
    alert_id = c.seed.xss_user.alert_id
    c.check(_overflow(c) <= 0, f"the overview is {_overflow(c)} px wider than a phone")
    for path in ("#/alerts", f"#/alert/{alert_id}", "#/tenant/contoso", "#/jobs", "#/overview"):
        view = path[2:].split("/")[0]
        before = rendered_count(c, view)
        c.driver.execute_script("location.hash = arguments[0]", path)
        wait_rendered(c, view, before)
        c.check(_overflow(c) <= 0, f"{path} is {_overflow(c)} px wider than a phone")


def test_signing_in_and_moving_around_work_by_keyboard(c):
    c.open("/")
    field = c.wait_for(lambda: c.driver.switch_to.active_element.get_attribute("id") == "token"
                       and c.driver.switch_to.active_element, "the token field to have focus")
    field.send_keys(c.seed.tenants["contoso"].token + Keys.ENTER)
    wait_rendered(c, "overview")
    # Tab through the page until the Alerts link has focus, then press Enter.
    actions = ActionChains(c.driver)
    for _ in range(12):
        active = c.driver.switch_to.active_element
        if active.get_attribute("data-view") == "alerts":
            break
        actions.send_keys(Keys.TAB).perform()
    c.check(c.driver.switch_to.active_element.get_attribute("data-view") == "alerts",
            "Tab never reached the Alerts link")
    before = rendered_count(c, "alerts")
    c.driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait_rendered(c, "alerts", before)
    first = c.driver.find_element(By.CSS_SELECTOR, "table.alerts tbody tr a")
    c.check(first.get_attribute("href"), "alert rows have no link to follow")


def test_the_console_follows_the_systems_dark_mode(c):
    c.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
        "features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    try:
        sign_in(c, c.seed.tenants["contoso"].token)
        background = c.driver.execute_script(
            "return getComputedStyle(document.body).backgroundColor")
        channels = [int(x) for x in background[background.index("(") + 1:-1].split(",")[:3]]
        c.check(sum(channels) < 150, f"the dark background is {background}")
    finally:
        c.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    c.driver.refresh()
    background = c.driver.execute_script("return getComputedStyle(document.body).backgroundColor")
    c.check(background in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"),
            f"the light background is {background}")
