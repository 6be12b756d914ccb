"""The console's browser tests: a real `vigil serve` and a real headless Chromium.

tests/console/run.py runs every tests/console/test_*.py with this harness
(ctest `console_browser`). A test file defines functions `test_<name>(c)`;
`c` is a `Console`, one per file, shared by that file's tests in their order:

  c.seed              two synced tenants, `contoso` and `fabrikam` (40 synthetic
                      users each, alerts of every analysis), an admin token and a
                      token per tenant; one contoso user's displayName is
                      `<img src=x onerror=alert(1)>` (c.seed.xss_user, with
                      the id of the open alert that names them).
  c.url(path)         the server's URL of `path`.
  c.api(token, method, path, body=None)
                      the server's API called directly (urllib): an ApiReply
                      with .status, .headers (names lower-cased), .body, .json().
  c.driver            the Selenium WebDriver of a headless Chromium with a
                      fresh profile; the page's viewport is 1280x800 when a
                      test begins (c.set_viewport(390, 844, mobile=True) for a
                      phone).
  c.open(path)        loads the page at `path` and waits for it.
  c.requests()        every request the pages made since the test began
                      (performance log; not the browser's own chrome:// pages):
                      RequestRecord(url, method, status, headers, resource type).
  c.console_messages(level="SEVERE")
                      what the pages wrote to the browser console since the
                      test began.
  c.wait_for(condition, what, timeout)
                      polls condition() until it is truthy; fails naming `what`.
  c.check(condition, message)
                      fails the test with `message` when condition is falsy.

Any failure (a failed check, an assertion, an exception) saves a screenshot,
the page's HTML, the browser console, the requests and the server's log into
<artifacts>/<file>.<test>/ (artifacts: $VIGIL_CONSOLE_ARTIFACTS, else the
directory given to run.py). Between tests the browser's storage is cleared.

Everything runs on 127.0.0.1 and free ports, in a temporary directory that is
removed at the end (kept, and its path printed, with VIGIL_KEEP_TEST_DIRS=1).
The server and the browser are stopped at the end whatever happened; they
are started so that they die with this process should it be killed.
"""

import dataclasses
import datetime
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import typing
import urllib.error
import urllib.request

from chromium import Browser, RequestRecord
from processes import (ConsoleTestFailure, Watchdog, die_with_parent, free_port, keep_dirs,
                       run, stop_group)

__all__ = ["Console", "ConsoleTestFailure", "RequestRecord", "XSS_NAME"]

XSS_NAME = "<img src=x onerror=alert(1)>"
TENANTS = ("contoso", "fabrikam")
USERS_PER_TENANT = 40
VIEWPORT = (1280, 800)
SERVER_READY_SECONDS = 60


# ---- the API --------------------------------------------------------------------

@dataclasses.dataclass
class ApiReply:
    status: int
    headers: typing.Dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def http_call(base_url: str, token: typing.Optional[str], method: str, path: str,
              body=None, headers=None, timeout: float = 30) -> ApiReply:
    """One HTTP request; any status is an answer (no exception for 4xx/5xx)."""
    data = None
    all_headers = dict(headers or {})
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        all_headers.setdefault("Content-Type", "application/json")
    if token:
        all_headers["Authorization"] = "Bearer " + token
    request = urllib.request.Request(base_url + path, data=data, method=method,
                                     headers=all_headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return ApiReply(response.status, {k.lower(): v for k, v in response.headers.items()},
                            response.read())
    except urllib.error.HTTPError as error:
        return ApiReply(error.code, {k.lower(): v for k, v in error.headers.items()},
                        error.read())


# ---- the seed -------------------------------------------------------------------

@dataclasses.dataclass
class Tenant:
    name: str
    token: str
    graph_dir: str


@dataclasses.dataclass
class XssUser:
    tenant: str
    id: str
    upn: str
    display_name: str
    alert_id: typing.Optional[int] = None  # the open alert whose details name them


@dataclasses.dataclass
class Seed:
    db: str
    admin_token: str
    tenants: typing.Dict[str, Tenant]
    xss_user: XssUser


def _plant_xss_user(graph_dir: str, tenant: str) -> XssUser:
    """Renames a user without MFA (so an alert names them) to XSS_NAME."""
    with open(os.path.join(graph_dir, "userRegistrationDetails.json"), encoding="utf-8") as f:
        unregistered = {r["id"] for r in json.load(f)["value"] if not r.get("isMfaRegistered")}
    with open(os.path.join(graph_dir, "roleAssignments.json"), encoding="utf-8") as f:
        admins = {a.get("principalId") for a in json.load(f)["value"]}
    path = os.path.join(graph_dir, "users.json")
    with open(path, encoding="utf-8") as f:
        users = json.load(f)
    for user in users["value"]:
        if (user["id"] in unregistered and user["id"] not in admins and user["accountEnabled"]
                and user["userType"] == "Member"):
            user["displayName"] = XSS_NAME
            with open(path, "w", encoding="utf-8") as f:
                json.dump(users, f)
            return XssUser(tenant, user["id"], user["userPrincipalName"], XSS_NAME)
    raise ConsoleTestFailure(f"{graph_dir}: no enabled member without MFA to rename")


def seed_database(vigil: str, work: str) -> Seed:
    """Two tenants synced with the real CLI from generated Graph directories."""
    db = os.path.join(work, "vigil.db")
    log = os.path.join(work, "seed.log")
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    tenants = {}
    xss_user = None
    for seed, name in enumerate(TENANTS, start=1):
        graph_dir = os.path.join(work, "graph", name)
        run([vigil, "generate", "--out", graph_dir, "--tenant", name, "--users",
             str(USERS_PER_TENANT), "--seed", str(seed), "--now", now], log)
        if name == "contoso":
            xss_user = _plant_xss_user(graph_dir, name)
        run([vigil, "sync", "--db", db, "--tenant", name, "--from-dir", graph_dir], log)
        token = run([vigil, "token", "create", "--db", db, "--name", name + "-console",
                     "--tenant", name], log).strip()
        tenants[name] = Tenant(name, token, graph_dir)
    admin = run([vigil, "token", "create", "--db", db, "--name", "console-admin", "--admin"],
                log).strip()
    for token in [admin] + [t.token for t in tenants.values()]:
        if not token.startswith("vigil_"):
            raise ConsoleTestFailure(f"vigil token create printed {token!r}, not a token")
    return Seed(db, admin, tenants, xss_user)


# ---- the server -----------------------------------------------------------------

class Server:
    """`vigil serve` on a free port of 127.0.0.1, its log in `log_path`."""

    def __init__(self, vigil: str, db: str, log_path: str):
        self.vigil = vigil
        self.db = db
        self.log_path = log_path
        self.process = None
        self.base_url = None

    def start(self):
        # A port freed for us can be taken before serve binds it: try another.
        for _ in range(3):
            port = free_port()
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(
                    [self.vigil, "serve", "--db", self.db, "--http", f"127.0.0.1:{port}"],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
                    preexec_fn=die_with_parent)
            Watchdog.guard(self.process.pid)
            self.base_url = f"http://127.0.0.1:{port}"
            if self._wait_ready():
                return
            self.stop()
        raise ConsoleTestFailure(f"vigil serve did not become ready:\n{self.log_tail()}")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + SERVER_READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                if http_call(self.base_url, None, "GET", "/readyz", timeout=5).status == 200:
                    return True
            except (urllib.error.URLError, ConnectionError, socket.timeout):
                pass
            time.sleep(0.2)
        return False

    def stop(self):
        stop_group(self.process, grace_seconds=30)
        self.process = None

    def log_tail(self, lines: int = 40) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no log)"


# ---- the fixture ------------------------------------------------------------------

class Console:
    """A seeded server and a browser for the tests of one file."""

    def __init__(self, vigil: str, artifacts_dir: str, name: str):
        self.vigil = os.path.abspath(vigil)
        self.artifacts_dir = os.environ.get("VIGIL_CONSOLE_ARTIFACTS") or artifacts_dir
        self.name = name
        self.work = None
        self.seed: typing.Optional[Seed] = None
        self.server: typing.Optional[Server] = None
        self.browser: typing.Optional[Browser] = None
        self.test_name = name
        self._mark = (0, 0)

    # -- life --
    def __enter__(self):
        self.work = tempfile.mkdtemp(prefix=f"vigil-console-{self.name}-")
        Watchdog.guard_dir(self.work)
        try:
            if not os.access(self.vigil, os.X_OK):
                raise ConsoleTestFailure(f"no vigil binary at {self.vigil}")
            self.seed = seed_database(self.vigil, self.work)
            self.server = Server(self.vigil, self.seed.db, os.path.join(self.work, "serve.log"))
            self.server.start()
            self._find_xss_alert()
            self.browser = Browser(self.work)
            self.browser.start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        if self.browser is not None:
            self.browser.stop()
        if self.server is not None:
            self.server.stop()
        if self.work is not None:
            if keep_dirs():
                print(f"console: kept {self.work}", flush=True)
            else:
                shutil.rmtree(self.work, ignore_errors=True)
            Watchdog.release_dir(self.work)
        return False

    def _find_xss_alert(self):
        user = self.seed.xss_user
        reply = self.api(self.seed.tenants[user.tenant].token, "GET",
                         "/api/v1/alerts?state=open&limit=1000")
        if reply.status != 200:
            raise ConsoleTestFailure(f"GET /api/v1/alerts answered {reply.status}: {reply.text()}")
        for alert in reply.json()["items"]:
            if alert.get("subject") == user.id and alert["details"].get("display_name") == XSS_NAME:
                user.alert_id = alert["id"]
                return
        raise ConsoleTestFailure(f"no open alert names {user.upn} as {XSS_NAME}")

    # -- what tests use --
    @property
    def driver(self):
        return self.browser.driver

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def url(self, path: str) -> str:
        return self.base_url + path

    def api(self, token, method: str, path: str, body=None, headers=None) -> ApiReply:
        return http_call(self.base_url, token, method, path, body, headers)

    def set_viewport(self, width: int, height: int, mobile: bool = False):
        """The page's viewport, exactly (the window's size includes the
        browser's own frame): 1280x800 at the start of every test."""
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})

    def open(self, path: str = "/"):
        self.driver.get(self.url(path))
        self.wait_for(lambda: self.driver.execute_script("return document.readyState")
                      == "complete", f"{path} to load")

    def requests(self) -> typing.List[RequestRecord]:
        """The requests the pages made since this test began."""
        return self.browser.requests(self._mark[0])

    def console_messages(self, level: typing.Optional[str] = "SEVERE") -> typing.List[dict]:
        """What the pages wrote to the console since this test began, of
        `level` (SEVERE, WARNING, INFO; None: all)."""
        return [m for m in self.browser.console(self._mark[1])
                if level is None or m.get("level") == level]

    def check(self, condition, message: str):
        if not condition:
            raise ConsoleTestFailure(message)

    def wait_for(self, condition, what: str, timeout: float = 20):
        deadline = time.monotonic() + timeout
        last_error = None
        while time.monotonic() < deadline:
            try:
                value = condition()
                if value:
                    return value
            except Exception as error:  # noqa: BLE001 -- retried until the deadline
                last_error = error
            time.sleep(0.1)
        suffix = f" (last error: {last_error})" if last_error else ""
        raise ConsoleTestFailure(f"timed out after {timeout} s waiting for {what}{suffix}")

    # -- between and after tests --
    def begin_test(self, test_name: str):
        self.test_name = test_name
        # What an earlier run of this test left is no longer true.
        shutil.rmtree(os.path.join(self.artifacts_dir, test_name), ignore_errors=True)
        self.browser.reset(self.base_url)
        self.set_viewport(*VIEWPORT)
        self._mark = self.browser.mark()

    def save_artifacts(self, error: BaseException) -> str:
        """Screenshot, HTML, console, requests and server log of the failure."""
        out = os.path.join(self.artifacts_dir, self.test_name)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out, exist_ok=True)
        notes = [f"{type(error).__name__}: {error}"]
        driver = self.browser.driver if self.browser else None
        if driver is not None:
            for what, save in (
                    ("screenshot.png", lambda p: driver.save_screenshot(p)),
                    ("page.html", lambda p: _write(p, driver.page_source)),
                    ("console.json", lambda p: _write(p, json.dumps(self.console_messages(None),
                                                                    indent=1))),
                    ("requests.txt", lambda p: _write(p, "\n".join(
                        f"{r.method} {r.url} -> {r.status}" for r in self.requests())))):
                try:
                    save(os.path.join(out, what))
                except Exception as save_error:  # noqa: BLE001 -- keep what can be kept
                    notes.append(f"{what}: not saved: {save_error}")
            try:
                notes.append(f"page: {driver.current_url}")
            except Exception:  # noqa: BLE001
                pass
        if self.server is not None:
            _write(os.path.join(out, "serve.log"), self.server.log_tail(400))
        _write(os.path.join(out, "failure.txt"), "\n".join(notes) + "\n")
        return out


def _write(path: str, text: str):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
