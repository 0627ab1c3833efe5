"""A real SMTP server on loopback for the mail tests (aiosmtpd), and its fixtures.

``smtp_server`` speaks plain SMTP without login (``security = "none"``, allowed on
loopback only); ``smtp_tls_server`` requires STARTTLS and a login, ``smtp_ssl_server``
speaks TLS from the first byte (port 465 style), both with a self-signed certificate made
for the test (``ca_file`` is what the client must trust). All yield a :class:`MailServer`:
``host``, ``port``, ``messages`` (what was accepted, parsed with the standard ``email``
package) with their ``envelopes``, ``drop_at`` to make the server drop the connection while
receiving its n-th message (that message is not kept), as a flaky line or a server restart
would, and ``refuse`` for addresses it answers "550 user unknown". Registered from
``tests/conftest.py``; the whole-cycle test reuses them.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "phongvhxh@example.vn"
PASSWORD = "mat-khau-ung-dung-7Qx!"


@dataclass
class MailServer:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)  # (from, to)
    drop_at: int | None = None  # drop the connection on the n-th message (1-based)
    refuse: set[str] = field(default_factory=set)  # recipients answered "550 no such user"
    user: str = ""
    password: str = ""
    ca_file: str = ""
    received: int = 0  # DATA commands seen, kept or dropped

    def to(self, address: str) -> list[EmailMessage]:
        """The messages one recipient got."""
        return [m for m, (_, rcpt) in zip(self.messages, self.envelopes, strict=True)
                if address in rcpt]


class _Handler:
    def __init__(self, server: MailServer):
        self.server = server

    async def handle_RCPT(self, smtp: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        if address in self.server.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:
        self.server.received += 1
        if self.server.drop_at == self.server.received:
            smtp.transport.close()
            return "421 4.3.0 connection dropped by the test"
        parsed = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        self.server.messages.append(parsed)  # type: ignore[arg-type]
        self.server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1/localhost and its key, made with ``cryptography``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _authenticator(server: MailServer) -> Any:
    def check(smtp: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login.decode() == server.user and \
            data.password.decode() == server.password
        return AuthResult(success=ok, handled=False)

    return check


def _run(server: MailServer, **options: Any) -> Iterator[MailServer]:
    controller = Controller(_Handler(server), hostname=server.host, port=server.port,
                            **options)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[MailServer]:
    """Plain SMTP on loopback, no login."""
    yield from _run(MailServer("127.0.0.1", _free_port()))


def _tls(folder: Path) -> tuple[ssl.SSLContext, MailServer]:
    cert, key = _self_signed(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context, MailServer("127.0.0.1", _free_port(), user=USER, password=PASSWORD,
                               ca_file=str(cert))


@pytest.fixture
def smtp_tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailServer]:
    """SMTP on loopback that requires STARTTLS, then a login (USER / PASSWORD)."""
    context, server = _tls(tmp_path_factory.mktemp("smtp-cert"))
    yield from _run(server, tls_context=context, require_starttls=True,
                    authenticator=_authenticator(server), auth_require_tls=True)


@pytest.fixture
def smtp_ssl_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailServer]:
    """SMTP over TLS from the start (SMTPS), with a login (USER / PASSWORD)."""
    context, server = _tls(tmp_path_factory.mktemp("smtp-cert"))
    # aiosmtpd sees TLS only when it came by STARTTLS: the whole connection is TLS here
    yield from _run(server, ssl_context=context, authenticator=_authenticator(server),
                    auth_require_tls=False)
