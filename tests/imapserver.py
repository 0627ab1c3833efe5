"""A real IMAP server on loopback for the mail tests: Debian's dovecot, started per test.

``imap_server`` writes a minimal dovecot configuration under a private temporary folder
(IMAP on 127.0.0.1 and a free port, with STARTTLS, and IMAP over TLS on another, both
with a self-signed certificate made by openssl; one user in a passwd-file, maildir),
starts ``dovecot -F -c …`` as a child process, waits for its greeting and stops it at
teardown. It yields an :class:`ImapServer` with ``host``, ``port``, ``user``,
``password`` and ``append(message, folder)`` to put a message (bytes) in a folder,
through IMAP itself (imap-tools), as a mail client files a message.

Use it from a test module (or tests/conftest.py, for every module) with
``from .imapserver import imap_server_fixture  # noqa: F401``; tests ask for ``imap_server``.
The fixture skips only when dovecot is not installed (``.ci/run`` installs
``dovecot-imapd``). Dovecot refuses to run its login and mail processes as root: run
as root (a container, CI), they run as Debian's unprivileged ``dovenull`` and
``dovecot`` users, which then own the mail folder; run as anyone else, everything runs
as that user.
"""

from __future__ import annotations

import email
import grp
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from pathlib import Path

import pytest
from imap_tools import MailboxLoginError, MailBoxUnencrypted

DOVECOT = shutil.which("dovecot") or next(
    (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.path.exists(p)), None)
USER = "canbo@example.vn"
PASSWORD = "mat-khau-thu"  # noqa: S105 - a throwaway password of a loopback test server
START_TIMEOUT = 20.0


@dataclass
class ImapServer:
    """A running dovecot: where to connect, as whom, and how to file a message."""

    host: str
    port: int  # plain IMAP, STARTTLS offered
    user: str
    password: str
    log: Path
    tls_port: int = 0  # IMAP over TLS (0: no openssl to make a certificate)
    cafile: Path | None = None  # the server's self-signed certificate, for clients to trust

    def mailbox(self, folder: str | None = "INBOX") -> MailBoxUnencrypted:
        """A logged-in imap-tools client (use it in a ``with``)."""
        return MailBoxUnencrypted(self.host, self.port).login(self.user, self.password, folder)

    def append(self, message: bytes, folder: str = "INBOX") -> None:
        """File ``message`` (raw RFC 5322 bytes) in ``folder``, creating the folder; it
        arrived when it was sent (its Date is the server's INTERNALDATE, what SINCE reads)."""
        date = email.message_from_bytes(message, policy=policy.default).get("Date")
        arrived = getattr(date, "datetime", None)
        with self.mailbox(None) as box:
            if not box.folder.exists(folder):
                box.folder.create(folder)
            box.append(message, folder, dt=arrived, flag_set=[])

    def sessions(self, at_least: int = 0) -> list[dict[str, int]]:
        """What each IMAP session that ended cost, from dovecot's log: bytes in and out,
        and the headers and whole messages (``body_count``) it downloaded. Dovecot logs a
        session just after the client left: wait (a few seconds at most) for ``at_least``."""
        deadline = time.monotonic() + 5
        while True:
            lines = self.log.read_text(errors="replace").splitlines()
            found = [{k: int(v) for k, v in re.findall(r"\b(\w+)=(\d+)", line)}
                     for line in lines if "Disconnected: Logged out" in line]
            if len(found) >= at_least or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def uids(self, folder: str = "INBOX", criteria: str = "ALL") -> list[str]:
        """The UIDs in ``folder`` (``criteria`` "SEEN": those marked as read)."""
        with self.mailbox(folder) as box:
            return list(box.uids(criteria))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _accounts() -> tuple[str, str, str]:
    """(internal user, login user, mail user) dovecot may run its processes as."""
    me = pwd.getpwuid(os.geteuid()).pw_name
    if os.geteuid() != 0:
        return me, me, me

    def known(name: str, fallback: str) -> str:
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            return fallback

    return me, known("dovenull", "nobody"), known("dovecot", "nobody")


def _certificate(root: Path) -> Path | None:
    """A self-signed certificate for 127.0.0.1 (cert.pem, key.pem), or None without openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem")],
                   check=True, capture_output=True, timeout=60)
    return root / "cert.pem"


def _tls(root: Path, cert: Path | None) -> str:
    if cert is None:
        return "ssl = no\n"
    return (f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{root}/key.pem\n"
            "ssl_min_protocol = TLSv1.2\n")


def _config(root: Path, port: int, tls_port: int, cert: Path | None) -> str:
    internal, login, mail_user = _accounts()
    account = pwd.getpwnam(mail_user)
    return _tls(root, cert) + f"""\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name}
default_login_user = {login}
first_valid_uid = 0
first_valid_gid = 0
mail_location = maildir:{root}/mail/%n
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={account.pw_uid} gid={account.pw_gid} home={root}/mail/%n
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port if cert else 0}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""


def _prepare(root: Path, port: int, tls_port: int, cert: Path | None) -> Path:
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir()
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n", encoding="utf-8")
    conf = root / "dovecot.conf"
    conf.write_text(_config(root, port, tls_port, cert), encoding="utf-8")
    if os.geteuid() == 0:  # the unprivileged processes must reach their sockets and mail
        root.chmod(0o755)
        account = pwd.getpwnam(_accounts()[2])
        os.chown(root / "mail", account.pw_uid, account.pw_gid)
    return conf


def _wait_ready(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Until dovecot answers with its IMAP greeting (or fails, with its log in the error)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if sock.recv(64).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.1)
    text = log.read_text(errors="replace") if log.exists() else ""
    raise RuntimeError(f"dovecot did not start on port {port}:\n{text}")


@pytest.fixture(name="imap_server")
def imap_server_fixture() -> Iterator[ImapServer]:
    """A dovecot IMAP server on 127.0.0.1 with one user and an empty INBOX."""
    if DOVECOT is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd; CI installs it)")
    # a short path: dovecot's unix sockets live under base_dir (108 bytes at most)
    root = Path(tempfile.mkdtemp(prefix="dovecot-"))
    port = free_port()
    tls_port = next(p for p in iter(free_port, 0) if p != port)
    cert = _certificate(root)
    conf = _prepare(root, port, tls_port, cert)
    log = root / "dovecot.log"
    with open(log, "ab") as out:  # what dovecot says before its log is open goes there too
        proc = subprocess.Popen([DOVECOT, "-F", "-c", str(conf)], stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        _wait_ready(proc, port, log)
        server = ImapServer("127.0.0.1", port, USER, PASSWORD, log,
                            tls_port if cert else 0, cert)
        _check_login(server)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(root, ignore_errors=True)


def _check_login(server: ImapServer) -> None:
    """Log in once, so a broken configuration fails here with dovecot's log, not in a test."""
    try:
        with server.mailbox() as box:
            box.folder.status("INBOX")
    except (MailboxLoginError, OSError) as exc:
        raise RuntimeError(f"dovecot login failed: {exc}\n"
                           f"{server.log.read_text(errors='replace')}") from exc
