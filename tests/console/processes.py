"""Processes of the console's browser tests (tests/console/harness.py): free
ports, commands run to completion, and processes started in a session of their
own that die with the test runner, however it ends.
"""

import ctypes
import os
import signal
import socket
import subprocess
import sys
import typing


class ConsoleTestFailure(AssertionError):
    """A check of a console test failed."""



def keep_dirs() -> bool:
    """VIGIL_KEEP_TEST_DIRS=1 keeps the temporary directories for a look."""
    return bool(os.environ.get("VIGIL_KEEP_TEST_DIRS"))


_PR_SET_PDEATHSIG = 1


def die_with_parent():
    """In a child before exec: SIGKILL it when this process dies, however."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass


def stop_group(process: subprocess.Popen, grace_seconds: float):
    """SIGTERM to the process group of `process` (started in a session of its
    own, so the group's id is its pid), then SIGKILL to the group after
    `grace_seconds`: the process and everything it started, even when the
    process itself has already exited."""
    if process is None:
        return
    pgid = process.pid
    if process.poll() is None:
        try:
            os.killpg(pgid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(grace_seconds)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        pass
    Watchdog.release(pgid)


class Watchdog:
    """A small process that cleans up after this one should it end without
    doing so itself (killed by a signal it cannot catch): it SIGKILLs the
    process groups it guards (Chromium is started by chromedriver, so no
    death signal of ours reaches it) and removes the directories it guards.
    It learns of our end as the end of its stdin."""

    _CODE = (
        "import os, shutil, signal, sys\n"
        "groups, dirs = set(), set()\n"
        "for line in sys.stdin:\n"
        "    op, arg = line.rstrip('\\n').split(' ', 1)\n"
        "    if op == '+': groups.add(int(arg))\n"
        "    elif op == '-': groups.discard(int(arg))\n"
        "    elif op == 'd+': dirs.add(arg)\n"
        "    elif op == 'd-': dirs.discard(arg)\n"
        "for pgid in groups:\n"
        "    try:\n"
        "        os.killpg(pgid, signal.SIGKILL)\n"
        "    except ProcessLookupError:\n"
        "        pass\n"
        "for path in dirs:\n"
        "    shutil.rmtree(path, ignore_errors=True)\n")
    _process = None

    @classmethod
    def _send(cls, line: str):
        if cls._process is None:
            cls._process = subprocess.Popen([sys.executable, "-c", cls._CODE],
                                            stdin=subprocess.PIPE, text=True,
                                            start_new_session=True)
        cls._process.stdin.write(line + "\n")
        cls._process.stdin.flush()

    @classmethod
    def guard(cls, pgid: int):
        cls._send(f"+ {pgid}")

    @classmethod
    def release(cls, pgid: int):
        cls._send(f"- {pgid}")

    @classmethod
    def guard_dir(cls, path: str):
        if not keep_dirs():
            cls._send(f"d+ {path}")

    @classmethod
    def release_dir(cls, path: str):
        cls._send(f"d- {path}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (the kernel's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(command: typing.List[str], log_path: str) -> str:
    """Runs a command to completion; its stdout. Fails with its output."""
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, timeout=120, preexec_fn=die_with_parent)
    with open(log_path, "a", encoding="utf-8") as log:
        log.write("$ " + " ".join(command) + "\n" + result.stdout + result.stderr + "\n")
    if result.returncode != 0:
        raise ConsoleTestFailure(
            f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result.stdout
