"""Smoke: the console's page loads in Chromium with its headers and hashed assets."""

import re

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
# app.3f2a91c0.js: a name, 8 hex of its SHA-256, the extension.
HASHED_ASSET = re.compile(r"^/assets/[A-Za-z0-9_.-]+\.[0-9a-f]{8}\.[A-Za-z0-9]+$")


def test_the_page_loads_with_a_strict_csp_hashed_assets_and_no_errors(c):
    c.open("/")
    c.check(c.driver.title == "vigil", f"the page's title is {c.driver.title!r}, not 'vigil'")

    requests = c.requests()
    pages = [r for r in requests if r.url == c.url("/")]
    c.check(len(pages) == 1, f"the page was requested {len(pages)} times: {requests}")
    page = pages[0]
    c.check(page.status == 200, f"GET / answered {page.status}")
    c.check(page.headers.get("content-security-policy") == CSP,
            f"the page's Content-Security-Policy is {page.headers.get('content-security-policy')!r}")
    c.check(page.headers.get("x-content-type-options") == "nosniff", f"headers: {page.headers}")

    assets = [r for r in requests if r.url.startswith(c.url("/assets/"))]
    kinds = {r.url.rsplit(".", 1)[-1] for r in assets}
    c.check({"js", "css"} <= kinds, f"the page loaded no script or no style sheet: {assets}")
    for r in assets:
        path = r.url[len(c.base_url):]
        c.check(HASHED_ASSET.match(path), f"{path} was requested by a name that is not hashed")
        c.check(r.status == 200, f"{path} answered {r.status}")
        c.check(r.headers.get("cache-control") == "public, max-age=31536000, immutable",
                f"{path}: Cache-Control {r.headers.get('cache-control')!r}")
    others = [r.url for r in requests
              if not r.url.startswith(c.base_url) and not r.url.startswith("data:")]
    c.check(not others, f"the page requested other hosts: {others}")

    errors = c.console_messages("SEVERE")
    c.check(not errors, f"the browser console has errors: {errors}")
