#!/usr/bin/python3
"""An SMTP server for the tests: Debian's aiosmtpd (python3-aiosmtpd) on
127.0.0.1, run by the system Python that package installs into.

    /usr/bin/python3 tests/api/smtp_sink.py PORT DIR

Every message it accepts is written to DIR as <n>.eml (the bytes as
received).  A recipient whose address starts with "refuse" is refused with
550 at RCPT, as a real server refuses an unknown mailbox.  Prints "ready" when
it listens; stops on SIGTERM."""
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, where):
        self.where = where
        self.n = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("refuse"):
            return "550 5.1.1 <%s>: no such mailbox here" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.n += 1
            n = self.n
        tmp = os.path.join(self.where, "%d.tmp" % n)
        with open(tmp, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(self.where, "%d.eml" % n))
        return "250 Message accepted for delivery"


def main():
    port, where = int(sys.argv[1]), sys.argv[2]
    c = Controller(Keep(where), hostname="127.0.0.1", port=port)
    c.start()
    print("ready", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    done.wait()
    c.stop()


if __name__ == "__main__":
    main()
