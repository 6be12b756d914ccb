"""Headless Chromium for the console's browser tests (tests/console/harness.py):
started through chromedriver (Debian's chromium, chromium-driver and
python3-selenium), retried when it is slow to start, recording every request
the pages make (the performance log) and what they write to the console.
"""

import dataclasses
import json
import os
import time
import typing

from processes import ConsoleTestFailure, Watchdog, die_with_parent, stop_group

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# The browser's own pages (its new tab page at startup): never the console's.
BROWSER_OWN_URLS = ("chrome://", "chrome-untrusted://", "chrome-extension://", "devtools://")
# Chromium on a busy two-core machine can take long to start.
BROWSER_START_ATTEMPTS = 3
PAGE_LOAD_SECONDS = 60


@dataclasses.dataclass
class RequestRecord:
    url: str
    method: str
    resource_type: str
    status: typing.Optional[int] = None
    headers: typing.Dict[str, str] = dataclasses.field(default_factory=dict)


class Browser:
    """Headless Chromium through chromedriver, recording requests and console."""

    def __init__(self, work: str):
        self.work = work
        self.driver = None
        self._service = None
        self._requests: typing.List[RequestRecord] = []
        self._by_id: typing.Dict[str, RequestRecord] = {}
        self._console: typing.List[dict] = []

    def start(self):
        for dep in (CHROMIUM, CHROMEDRIVER):
            if not os.access(dep, os.X_OK):
                raise ConsoleTestFailure(f"{dep} is missing; run scripts/install-deps.sh")
        errors = []
        for attempt in range(1, BROWSER_START_ATTEMPTS + 1):
            try:
                self._start_once(attempt)
                return
            except Exception as error:  # noqa: BLE001 -- startup is retried, whatever failed
                errors.append(f"attempt {attempt}: {error}")
                self.stop()
                time.sleep(2 * attempt)
        raise ConsoleTestFailure("Chromium did not start:\n" + "\n".join(errors))

    def _start_once(self, attempt: int):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        profile = os.path.join(self.work, f"chromium-profile-{attempt}")
        home = os.path.join(self.work, "home")
        os.makedirs(home, exist_ok=True)
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,800",
                    f"--user-data-dir={profile}", "--disable-dev-shm-usage", "--no-first-run",
                    "--no-default-browser-check", "--disable-extensions",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-default-apps", "--mute-audio"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
        env = dict(os.environ, HOME=home)
        self._service = Service(
            executable_path=CHROMEDRIVER,
            log_path=os.path.join(self.work, "chromedriver.log"), env=env,
            popen_kw={"start_new_session": True, "preexec_fn": die_with_parent})
        try:
            self.driver = webdriver.Chrome(service=self._service, options=options)
        finally:
            if getattr(self._service, "process", None) is not None:
                Watchdog.guard(self._service.process.pid)
        self.driver.set_page_load_timeout(PAGE_LOAD_SECONDS)
        self.driver.set_script_timeout(PAGE_LOAD_SECONDS)

    def stop(self):
        process = getattr(self._service, "process", None) if self._service else None
        if self.driver is not None:
            try:
                self.driver.quit()
            except Exception:  # noqa: BLE001 -- the process group goes below anyway
                pass
        self.driver = None
        # chromedriver and the Chromium it started share its process group.
        stop_group(process, grace_seconds=5)
        self._service = None

    def drain_logs(self):
        """Moves what the browser logged since the last call into our records."""
        if self.driver is None:
            return
        for entry in self.driver.get_log("performance"):
            self._on_performance(json.loads(entry["message"])["message"])
        self._console.extend(self.driver.get_log("browser"))

    def _on_performance(self, message: dict):
        method = message.get("method")
        params = message.get("params", {})
        if method == "Network.requestWillBeSent":
            if params["request"]["url"].startswith(BROWSER_OWN_URLS):
                return
            # A redirect is sent again under the same id: a request of its own.
            record = RequestRecord(params["request"]["url"], params["request"]["method"],
                                   params.get("type", ""))
            self._requests.append(record)
            self._by_id[params["requestId"]] = record
        elif method == "Network.responseReceived":
            record = self._by_id.get(params["requestId"])
            if record is not None:
                response = params["response"]
                record.status = response.get("status")
                record.headers = {k.lower(): v for k, v in response.get("headers", {}).items()}

    def requests(self, since: int = 0) -> typing.List[RequestRecord]:
        self.drain_logs()
        return self._requests[since:]

    def console(self, since: int = 0) -> typing.List[dict]:
        self.drain_logs()
        return self._console[since:]

    def mark(self) -> typing.Tuple[int, int]:
        """Where the records stand now: (requests, console messages)."""
        self.drain_logs()
        return len(self._requests), len(self._console)

    def reset(self, origin: str):
        """Forgets the pages' storage and cookies (between tests)."""
        self.drain_logs()
        self.driver.get(origin + "/healthz")
        self.driver.execute_script("window.sessionStorage.clear(); window.localStorage.clear();")
        self.driver.delete_all_cookies()
        self.driver.get("about:blank")
