"""Where replies are read from: an IMAP mailbox (imap-tools), or a folder of saved .eml files.

Both give the raw bytes of messages not read before, oldest first, with a key that names
each message for good: its Message-ID, else a hash of its bytes. The mailbox is opened
read-only (EXAMINE) and fetched with ``BODY.PEEK``: reading never deletes, moves or marks
a message. A mailbox is read in two passes, headers first: only messages whose key is
new are downloaded whole, so a second run over a large mailbox costs one header fetch.

The IMAP settings of a workspace live in the ``[imap]`` table of ``WS/mail.toml``
(host, port, security = "ssl" | "starttls" | "none", user, folder, since, ca_file); the password
is never there (``CONSOLIDATE_IMAP_PASSWORD`` or a prompt, in the CLI).
"""

from __future__ import annotations

import datetime as dt
import email
import hashlib
import imaplib
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from imap_tools import (
    AND,
    BaseMailBox,
    MailBox,
    MailboxFolderSelectError,
    MailboxLoginError,
    MailBoxStartTls,
    MailBoxUnencrypted,
    MailMessage,
)
from imap_tools.errors import ImapToolsError

from consolidate.core.errors import ConsolidateError
from consolidate.core.settings import parse_date
from consolidate.mail.config import config_path, is_loopback, read_section

PASSWORD_ENV = "CONSOLIDATE_IMAP_PASSWORD"
SECURITY_PORTS = {"ssl": 993, "starttls": 143, "none": 143}
TIMEOUT = 60
#: Messages per FETCH command: headers in the first pass, whole messages in the second.
HEADERS_BULK = 500
BULK = 20


@dataclass(frozen=True)
class Raw:
    """One message as stored: its key and its bytes."""

    key: str
    data: bytes
    seen: bool = False  # read by an earlier run (known only once downloaded)


@dataclass(frozen=True)
class ImapSettings:
    host: str = ""
    port: int = 0
    security: str = "ssl"
    user: str = ""
    folder: str = "INBOX"
    since: dt.date | None = None
    #: A CA certificate (PEM) to trust besides the system's: an office server's own.
    ca_file: str = ""

    @property
    def source(self) -> str:
        """How the store names this mailbox: what a second run has already read."""
        return f"imap:{self.user}@{self.host}/{self.folder}"


@dataclass
class Batch:
    """New messages of a source, fetched lazily; ``total`` is known before the first."""

    source: str
    total: int
    messages: Iterator[Raw]
    skipped: int = 0  # read by an earlier run


def message_key(msg: EmailMessage | Any, data: bytes | None) -> str:
    """Message-ID, else the SHA-256 of the bytes (a message without one is still known)."""
    mid = _message_id(msg)
    if mid:
        return mid
    return "sha256:" + hashlib.sha256(data or b"").hexdigest()


# --------------------------------------------------------------------------- folder of .eml


def folder_batch(folder: Path, known: set[str], since: dt.date | None = None) -> Batch:
    """The .eml files of ``folder`` (by name) not read before, sent on or after ``since``."""
    files = sorted(p for p in folder.glob("*.eml") if p.is_file())
    new: list[Raw] = []
    seen = 0
    for path in files:
        data = path.read_bytes()
        msg = parse_message(data)
        when = message_date(msg)
        if since and when and when.date() < since:
            continue
        key = message_key(msg, data)
        seen += key in known
        if key not in known:
            new.append(Raw(key, data))
            known.add(key)
    return Batch(folder_source(folder), len(new), iter(new), seen)


def folder_source(folder: Path) -> str:
    """How the store names a folder of .eml files: what a second run has already read."""
    return f"folder:{folder.resolve()}"


def parse_message(data: bytes) -> EmailMessage:
    """A message as the standard library reads it (RFC 2231 names, encoded subjects)."""
    msg = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def message_date(msg: EmailMessage) -> dt.datetime | None:
    """The message's Date, aware; None when it has none or it cannot be read."""
    try:
        header = msg.get("Date")
        when = getattr(header, "datetime", None)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return when if when.tzinfo else when.astimezone()


# --------------------------------------------------------------------------- IMAP


def load_settings(workspace: Path, overrides: dict[str, Any] | None = None) -> ImapSettings:
    """The workspace's ``[imap]`` settings with the command line's on top, checked."""
    path = config_path(workspace)
    stored = read_section(workspace, "imap")
    values = {**stored, **{k: v for k, v in (overrides or {}).items() if v not in (None, "")}}
    return _checked(values, path)


def _checked(values: dict[str, Any], path: Path) -> ImapSettings:
    missing = [k for k in ("host", "user") if not str(values.get(k, "")).strip()]
    if missing:
        raise ConsolidateError("mail-settings-missing", path=path, detail=", ".join(missing))
    security = str(values.get("security", "ssl")).strip().lower()
    if security not in SECURITY_PORTS:
        raise ConsolidateError("mail-settings-invalid", path=path,
                               detail=f"security = '{security}', cần ssl, starttls hoặc none")
    host = str(values["host"]).strip()
    if security == "none" and not is_loopback(host):
        raise ConsolidateError("mail-settings-invalid", path=path, detail=(
            "security = 'none' (mật khẩu gửi không mã hóa) chỉ dùng cho máy chủ trên chính "
            f"máy này, không dùng cho {host}"))
    try:
        port = int(values.get("port") or SECURITY_PORTS[security])
    except (TypeError, ValueError) as exc:
        raise ConsolidateError("mail-settings-invalid", path=path,
                               detail=f"port = '{values.get('port')}'") from exc
    since = values.get("since")
    if since is not None and not isinstance(since, dt.date):
        since = parse_date(str(since))
        if since is None:
            raise ConsolidateError("mail-settings-invalid", path=path,
                                   detail=f"since = '{values.get('since')}', cần ngày dạng "
                                   "2024-06-01 hoặc 01/06/2024")
    ca_file = str(values.get("ca_file") or "").strip()
    if ca_file and not Path(ca_file).is_file():
        raise ConsolidateError("mail-settings-invalid", path=path,
                               detail=f"ca_file = '{ca_file}': không có tệp này")
    return ImapSettings(host, port, security, str(values["user"]).strip(),
                        str(values.get("folder") or "INBOX"), since, ca_file)


class _RawMessage(MailMessage):
    """imap-tools' message, keeping the bytes the server sent (to store and to hash)."""

    def __init__(self, fetch_data: list) -> None:
        super().__init__(fetch_data)
        self.raw: bytes = self._get_message_data_parts(fetch_data)[0]


def open_mailbox(settings: ImapSettings, password: str) -> BaseMailBox:
    """Logged in, the folder selected read-only; a refusal names what to check."""
    try:
        box = _connect(settings)
    except (OSError, imaplib.IMAP4.error, ImapToolsError) as exc:
        raise ConsolidateError("imap-connect-failed", host=settings.host, port=settings.port,
                               detail=_why(exc)) from exc
    box.email_message_class = _RawMessage
    try:
        box.login(settings.user, password, initial_folder=None)
    except (MailboxLoginError, ImapToolsError, imaplib.IMAP4.error, OSError) as exc:
        close_mailbox(box)
        raise ConsolidateError("mail-login-failed", host=settings.host, found=settings.user,
                               detail=_why(exc)) from exc
    try:
        box.folder.set(settings.folder, readonly=True)
    except (MailboxFolderSelectError, ImapToolsError) as exc:
        close_mailbox(box)
        raise ConsolidateError("mail-folder-unknown", found=settings.folder,
                               user=settings.user, detail=_why(exc)) from exc
    return box


def _connect(settings: ImapSettings) -> BaseMailBox:
    """A connection as the settings say: TLS from the start, STARTTLS, or none (loopback);
    certificates are verified (the system's authorities, and ``ca_file`` if given)."""
    if settings.security == "none":
        return MailBoxUnencrypted(settings.host, settings.port, timeout=TIMEOUT)
    context = ssl.create_default_context(cafile=settings.ca_file or None)
    kind = MailBox if settings.security == "ssl" else MailBoxStartTls
    return kind(settings.host, settings.port, timeout=TIMEOUT, ssl_context=context)


def _why(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def close_mailbox(box: BaseMailBox) -> None:
    """Log out; a connection already broken is just closed."""
    try:
        box.logout()
    except (ImapToolsError, imaplib.IMAP4.error, OSError):
        box.client.shutdown()


def imap_batch(box: BaseMailBox, settings: ImapSettings, known: set[str]) -> Batch:
    """Headers of the folder's messages (since the date), then the new ones whole.

    A message without a Message-ID is known only by its bytes, so it is downloaded to be
    recognised; every other message already read costs its header only.
    """
    criteria = AND(date_gte=settings.since) if settings.since else "ALL"
    heads = list(box.fetch(criteria, mark_seen=False, headers_only=True, bulk=HEADERS_BULK))
    wanted = [m.uid for m in heads
              if m.uid and (not _message_id(m.obj) or _message_id(m.obj) not in known)]
    return Batch(settings.source, len(wanted), _download(box, wanted, known),
                 len(heads) - len(wanted))


def _message_id(msg: Any) -> str:
    return str(msg.get("Message-ID") or "").strip()


def _download(box: BaseMailBox, uids: list[str], known: set[str]) -> Iterator[Raw]:
    for msg in box.fetch(uid_list=uids, mark_seen=False, bulk=BULK) if uids else ():
        key = message_key(msg.obj, msg.raw)
        yield Raw(key, msg.raw, seen=key in known)  # seen: no Message-ID, read before
        known.add(key)
