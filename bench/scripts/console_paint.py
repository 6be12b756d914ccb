#!/usr/bin/python3
"""The console's first paint in headless Chromium (issue 19; docs/PERFORMANCE.md,
"The console's first paint").

    bench/scripts/console_paint.py VIGIL DB [--runs N]

DB is a SQLite database with the fleet to show (bench_console --dir DIR leaves
one: 1,000 tenants, 100,000 open alerts). The script makes an admin token in
it, starts `vigil serve` on a free loopback port with the shipped defaults,
signs in once in a fresh headless Chromium (1280x800), and then, --runs times
(5), loads the alerts page and the overview as a new page load each (a
navigation from about:blank; the browser's cache warm, as for a technician
who opens the console every morning), and reads from the page itself:

  first paint     first-contentful-paint: the page's first pixels
  data on screen  the view's performance mark "vigil:rendered:<view>" (web/app.js):
                  the view's rows rendered, its API answers included

both in milliseconds since the navigation started. Prints a table with
median and max; exits 1 if a view never renders.
"""

import argparse
import os
import statistics
import sys
import tempfile
import shutil
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "console"))

from chromium import Browser  # noqa: E402
from harness import Server  # noqa: E402
from processes import run  # noqa: E402

READ_MARKS = """
const mark = performance.getEntriesByName(arguments[0]);
const paint = performance.getEntriesByName("first-contentful-paint");
return mark.length ? [paint.length ? paint[0].startTime : null, mark[0].startTime] : null;
"""


def measure(browser, base, view, hash_path):
    driver = browser.driver
    driver.get("about:blank")
    driver.get(base + "/" + hash_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        result = driver.execute_script(READ_MARKS, "vigil:rendered:" + view)
        if result:
            return result
        time.sleep(0.02)
    raise RuntimeError(f"{hash_path} never rendered")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("vigil")
    parser.add_argument("db")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="vigil-paint-")
    server = browser = None
    try:
        token = run([args.vigil, "token", "create", "--db", args.db, "--name",
                     f"paint-{os.getpid()}", "--admin"], os.path.join(work, "cli.log")).strip()
        server = Server(args.vigil, args.db, os.path.join(work, "serve.log"))
        server.start()
        browser = Browser(work)
        browser.start()
        browser.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False})
        browser.driver.get(server.base_url + "/")
        browser.driver.execute_script("sessionStorage.setItem('vigil.token', arguments[0])", token)
        rows = []
        for view, hash_path in (("alerts", "#/alerts"), ("overview", "#/overview")):
            measure(browser, server.base_url, view, hash_path)  # warm-up, not counted
            paints, data = [], []
            for _ in range(args.runs):
                paint, rendered = measure(browser, server.base_url, view, hash_path)
                paints.append(paint)
                data.append(rendered)
            rows.append((view, paints, data))
            print(f"{view}: data on screen per run (ms) {[round(x) for x in data]}", file=sys.stderr)
        print(f"command: bench/scripts/console_paint.py VIGIL DB --runs {args.runs}")
        print("| page | first paint, median | max | data on screen, median | max |")
        print("|---|---:|---:|---:|---:|")
        for view, paints, data in rows:
            print(f"| {view} | {statistics.median(paints):.0f} ms | {max(paints):.0f} ms | "
                  f"{statistics.median(data):.0f} ms | {max(data):.0f} ms |")
        return 0
    finally:
        if browser is not None:
            browser.stop()
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
