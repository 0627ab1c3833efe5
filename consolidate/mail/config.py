"""An office's outgoing mail account: where ``send`` hands its messages over.

The account belongs to the office, not to one campaign, so it lives in the workspace, in
``WS/mail.toml`` (section ``[smtp]``), written by hand once; options of the command
override it. The password never does: it comes from the environment
(:data:`PASSWORD_ENV`) or a prompt in the CLI, and a ``password`` key in the file is
refused, so it is never in the workspace (nor in backups of it).
"""

from __future__ import annotations

import ipaddress
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from consolidate.core.errors import ConsolidateError

CONFIG_NAME = "mail.toml"
PASSWORD_ENV = "CONSOLIDATE_SMTP_PASSWORD"
SECURITIES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class SmtpConfig:
    """How to reach the office's SMTP server; ``sender`` is the From address."""

    host: str = ""
    port: int = 0
    security: str = "starttls"
    user: str = ""
    sender: str = ""
    sender_name: str = ""
    ca_file: str = ""  # a CA bundle to trust besides the system's (a private server)
    timeout: float = 60.0

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS.get(self.security, 587)

    @property
    def from_addr(self) -> str:
        return self.sender or self.user

    def with_options(self, **options: Any) -> SmtpConfig:
        """The configuration with the command's options (those given) on top."""
        given = {k: v for k, v in options.items() if v not in (None, "")}
        return replace(self, **given)


def config_path(workspace: Path) -> Path:
    return Path(workspace) / CONFIG_NAME


def read_section(workspace: Path, name: str) -> dict[str, Any]:
    """One table of the workspace's ``mail.toml`` (``smtp`` for send, ``imap`` for collect),
    {} without the file. A password is refused in any table: it is never stored."""
    path = config_path(workspace)
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConsolidateError("mail-config-invalid", file=str(path), detail=str(exc)) from exc
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    if any("password" in table for table in [data, *tables.values()]):
        raise ConsolidateError("mail-password-in-file", file=str(path))
    if name == "smtp" and not tables:
        return data  # a file of SMTP keys alone, without the [smtp] heading
    return dict(tables.get(name, {}))


def load_config(workspace: Path) -> SmtpConfig:
    """The workspace's ``[smtp]`` settings (an empty configuration when there are none)."""
    path = config_path(workspace)
    section = read_section(workspace, "smtp")
    known = {f.name for f in fields(SmtpConfig)}
    unknown = sorted(set(section) - known)
    if unknown:
        raise ConsolidateError("mail-config-invalid", file=str(path),
                               detail=f"khóa không dùng được: {', '.join(unknown)} "
                                      f"(dùng: {', '.join(sorted(known))})")
    return SmtpConfig(**{key: _typed(key, value, path) for key, value in section.items()})


def _typed(key: str, value: Any, path: Path) -> Any:
    """A value of the type the setting has (port 587, not "587" nor 587.5)."""
    want = type(getattr(SmtpConfig(), key))
    if want is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, want) and not isinstance(value, bool):
        return value
    kind = {int: "số nguyên", float: "số", str: "chuỗi trong dấu nháy"}[want]
    raise ConsolidateError("mail-config-invalid", file=str(path),
                           detail=f"{key} = {value!r} phải là {kind}")


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_config(config: SmtpConfig, path: Path) -> None:
    """Refuse what cannot work or would send a password in clear over a network."""
    if not config.host or not config.from_addr:
        raise ConsolidateError("mail-config-missing", file=str(path))
    if config.security not in SECURITIES:
        raise ConsolidateError("mail-config-invalid", file=str(path),
                               detail=f"security = '{config.security}' (dùng: starttls, ssl)")
    if config.security == "none" and not is_loopback(config.host):
        raise ConsolidateError("mail-insecure", found=config.host)
