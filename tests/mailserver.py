"""A real SMTP server on loopback for the tests (aiosmtpd), which keeps what it receives.

Not a mock of the mail library: Rundbord's messages go through Flask-Mailman and smtplib over
TCP to this server, which answers like a real one — including a 550 for an address it is told
to refuse (a bounce) and, when stopped, nothing at all (a server that is down).
"""

from __future__ import annotations

import email
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    """Return a loopback port nobody listens on (the OS hands out a fresh one)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    to: list[str]
    message: EmailMessage

    def part(self, subtype: str) -> str:
        """Return the decoded text/<subtype> part."""
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None and body.get_content_subtype() == subtype, f"no text/{subtype} part"
        return body.get_content()


@dataclass
class Collector:
    """The aiosmtpd handler: refuses the addresses in `refuse` with 550, keeps every message it takes."""

    refuse: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        with self.lock:
            self.received.append(Received(list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class MailServer:
    """Start and stop a loopback SMTP server; the port stays the same across restarts."""

    def __init__(self) -> None:
        self.port = free_port()
        self.handler = Collector()
        self.controller: Controller | None = None

    def start(self) -> MailServer:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=30)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.to]

    def wait_for(self, count: int, timeout: float = 15) -> list[Received]:
        """Wait until at least `count` messages arrived (the server takes them in its own thread)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} messages, got {len(self.received)}")
            time.sleep(0.05)
        return self.received


def use_mail_server(app, port: int) -> None:
    """Point the app's Flask-Mailman at this loopback port (re-reading the config, as at start-up)."""
    from extensions import mail

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=10, MAIL_DEFAULT_SENDER="Rundbord <rundbord@kommune.example>")
    mail.init_app(app)
