#!/usr/bin/python3
"""Runs the console's browser tests (ctest `console_browser`).

    tests/console/run.py VIGIL_BINARY ARTIFACTS_DIR [NAME_FILTER]

Runs every test_<name> function of every tests/console/test_*.py, in file
order and then definition order; NAME_FILTER, when given, keeps the tests
whose "<file>.<test>" contains it. Each file gets its own seeded server and
browser (harness.Console), shared by its tests. A failing test leaves its
screenshot, page HTML, browser console, requests and server log in
ARTIFACTS_DIR/<file>.<test>/ ($VIGIL_CONSOLE_ARTIFACTS instead, when set),
and the run goes on with the next test. Exit status: 0 when every test
passed, 1 otherwise (no test found counts as a failure).

The whole run is bounded by $VIGIL_CONSOLE_TIMEOUT seconds (540 by default,
inside ctest's 600), so the server and browser are always stopped by us.
Run with Debian's /usr/bin/python3, which has python3-selenium.
"""

import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import glob  # noqa: E402
import importlib.util  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402


class RunTimedOut(Exception):
    pass


def _on_alarm(signum, frame):
    raise RunTimedOut(f"the console tests ran past VIGIL_CONSOLE_TIMEOUT "
                      f"({os.environ.get('VIGIL_CONSOLE_TIMEOUT', '540')} s)")


def _on_term(signum, frame):
    raise SystemExit(128 + signum)


def load_tests(name_filter: str):
    """[(file name, module, [(test name, function)])] in order."""
    found = []
    for path in sorted(glob.glob(os.path.join(HERE, "test_*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        tests = [(test, fn) for test, fn in vars(module).items()
                 if test.startswith("test_") and callable(fn)
                 and name_filter in f"{name}.{test}"]
        if tests:
            found.append((name, tests))
    return found


def run_file(vigil: str, artifacts: str, name: str, tests, results):
    try:
        console = harness.Console(vigil, artifacts, name)
        with console as c:
            for test, fn in tests:
                full = f"{name}.{test}"
                start = time.monotonic()
                try:
                    c.begin_test(full)
                    fn(c)
                    results.append((full, True))
                    print(f"PASS {full} ({time.monotonic() - start:.1f} s)", flush=True)
                except (KeyboardInterrupt, SystemExit, RunTimedOut) as stop:
                    _report_failure(c, full, stop, start, results)
                    raise
                except Exception as error:  # noqa: BLE001 -- a failed test, reported
                    _report_failure(c, full, error, start, results)
    except (KeyboardInterrupt, SystemExit, RunTimedOut):
        raise
    except Exception:  # noqa: BLE001 -- the file's server or browser did not start
        print(f"FAIL {name}: could not set up the server and browser:\n"
              f"{traceback.format_exc()}", flush=True)
        for test, _ in tests:
            if (f"{name}.{test}", True) not in results:
                results.append((f"{name}.{test}", False))


def _report_failure(c, full, error, start, results):
    results.append((full, False))
    where = c.save_artifacts(error)
    print(f"FAIL {full} ({time.monotonic() - start:.1f} s): {error}\n"
          f"{traceback.format_exc()}artifacts: {where}", flush=True)


def main(argv) -> int:
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    vigil, artifacts = argv[1], os.path.abspath(argv[2])
    name_filter = argv[3] if len(argv) == 4 else ""
    signal.signal(signal.SIGTERM, _on_term)
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(int(os.environ.get("VIGIL_CONSOLE_TIMEOUT", "540")))
    files = load_tests(name_filter)
    if not files:
        print(f"no console tests found in {HERE} (filter {name_filter!r})", file=sys.stderr)
        return 1
    results = []
    try:
        for name, tests in files:
            run_file(vigil, artifacts, name, tests, results)
    except RunTimedOut as timeout:
        print(f"FAIL: {timeout}; the tests not run yet count as failed", flush=True)
        ran = {full for full, _ in results}
        results += [(f"{name}.{test}", False) for name, tests in files for test, _ in tests
                    if f"{name}.{test}" not in ran]
    finally:
        signal.alarm(0)
    failed = [full for full, ok in results if not ok]
    print(f"console tests: {len(results) - len(failed)} passed, {len(failed)} failed"
          + (": " + ", ".join(failed) if failed else ""), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
