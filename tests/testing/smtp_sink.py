#!/usr/bin/env python3
"""An SMTP server for the tests of the email channel (tests only).

Listens on 127.0.0.1:PORT with aiosmtpd (Debian python3-aiosmtpd) and writes
every message it takes into DIR as three files, NNNN.from (the envelope
sender), NNNN.rcpt (the recipients, one a line) and NNNN.eml (the message as
received). The .eml file appears last and whole (written aside, then renamed),
so a reader that sees it sees the other two.

  --user U --password P   require AUTH (PLAIN or LOGIN) with these; no TLS
                          needed, the tests speak plain SMTP on loopback
  --rcpt-reply "550 ..."  answer every RCPT TO with this reply
  --data-reply "451 ..."  answer the end of DATA with this reply (nothing kept)

Runs until SIGTERM or SIGINT.
"""

import argparse
import os
import signal
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, directory, rcpt_reply, data_reply):
        self.directory = directory
        self.rcpt_reply = rcpt_reply
        self.data_reply = data_reply
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        with self.lock:
            self.count += 1
            base = os.path.join(self.directory, "%04d" % self.count)
        with open(base + ".from", "w", encoding="utf-8") as f:
            f.write(envelope.mail_from or "")
        with open(base + ".rcpt", "w", encoding="utf-8") as f:
            f.write("".join(r + "\n" for r in envelope.rcpt_tos))
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".tmp", base + ".eml")
        return "250 2.0.0 Message accepted"


def make_authenticator(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        good = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=good, handled=False)

    return authenticate


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--user", default="")
    parser.add_argument("--password", default="")
    parser.add_argument("--rcpt-reply", default="")
    parser.add_argument("--data-reply", default="")
    args = parser.parse_args()

    options = {}
    if args.user:
        options = {
            "authenticator": make_authenticator(args.user, args.password),
            "auth_required": True,
            "auth_require_tls": False,
        }
    sink = Sink(args.dir, args.rcpt_reply, args.data_reply)
    controller = Controller(sink, hostname="127.0.0.1", port=args.port, **options)
    controller.start()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    controller.stop()


if __name__ == "__main__":
    main()
