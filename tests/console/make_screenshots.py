#!/usr/bin/python3
"""Takes the README's screenshots of the console (not a test).

    tests/console/make_screenshots.py VIGIL_BINARY OUT_DIR

Seeds the browser tests' two tenants plus a few more (harness.Console), signs
in with the admin token in headless Chromium at 1280x800 and saves
OUT_DIR/console-overview.png and OUT_DIR/console-alert.png.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402
from common_steps import go, sign_in  # noqa: E402
from processes import run  # noqa: E402

EXTRA_TENANTS = (("northwind", 120), ("tailspin", 60), ("wingtip", 25))


def main(argv) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    vigil, out = os.path.abspath(argv[1]), os.path.abspath(argv[2])
    os.makedirs(out, exist_ok=True)
    with harness.Console(vigil, out, "screenshots") as c:
        log = os.path.join(c.work, "extra.log")
        for seed, (name, users) in enumerate(EXTRA_TENANTS, start=10):
            graph = os.path.join(c.work, "graph", name)
            run([vigil, "generate", "--out", graph, "--tenant", name, "--users", str(users),
                 "--seed", str(seed)], log)
            run([vigil, "sync", "--db", c.seed.db, "--tenant", name, "--from-dir", graph], log)
        c.begin_test("screenshots")
        sign_in(c, c.seed.admin_token)
        c.driver.save_screenshot(os.path.join(out, "console-overview.png"))
        alerts = c.api(c.seed.admin_token, "GET",
                       "/api/v1/alerts?type=mfa.admin_not_registered&limit=1").json()["items"]
        go(c, f"#/alert/{alerts[0]['id']}")
        c.driver.save_screenshot(os.path.join(out, "console-alert.png"))
    print(f"wrote {out}/console-overview.png and console-alert.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
