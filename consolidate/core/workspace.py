"""A workspace folder and the campaigns it holds.

A campaign (đợt báo cáo) is one form × one period × one root unit. Its settings
live in the workspace's store; its files live in folders named after it. A custom
roster is copied into the workspace so the campaign never depends on a file that
may move.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from consolidate.core.errors import ConsolidateError
from consolidate.core.files import TEMP_PREFIX
from consolidate.core.numbers import format_date_short
from consolidate.core.period import (
    Period,
    check_in_period,
    parse_period,
    period_label,
    read_period,
)
from consolidate.core.reform import DESCRIPTION, explain_missing
from consolidate.core.roster import Roster, Unit, resolve_roster
from consolidate.core.spec import FormSpec
from consolidate.core.specfile import load_spec
from consolidate.core.store import Store
from consolidate.core.vocabulary import NATIONAL, now_iso

STORE_NAME = "consolidate.sqlite"
SECRET_NAME = ".secret"
_locks: dict[str, FileLock] = {}


@dataclass
class Campaign:
    id: str
    form_id: str
    form_version: int
    period: str
    root: str
    deadline: dt.date | None
    roster_choice: str
    workspace: Workspace
    settings: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def spec(self) -> FormSpec:
        return load_spec(self.form_id)

    @cached_property
    def memo(self) -> dict[Any, Any]:
        """What reading its workbooks derives from the spec and the tree alone (where each
        cell of a form's layout is read, for a level), worked out once per layout and kept
        as long as the spec is: every form of a level has the same layout."""
        return {}

    @cached_property
    def roster(self) -> Roster:
        """The campaign's part of the tree: the root unit and everything below it."""
        return self.workspace.full_roster(self.roster_choice).subtree(self.root)

    @property
    def period_label(self) -> str:
        """'năm 2024': the period as every text names it."""
        return period_label(self.period)

    @property
    def period_info(self) -> Period | None:
        """The period read from its id; None for a period stored before periods were checked."""
        return read_period(self.period)

    @property
    def cutoff(self) -> dt.date | None:
        """Thời gian chốt số liệu: the ``cutoff`` setting, else the regime's for the period.

        The regime's day (the 14th of the period's last month, see
        :meth:`Period.default_cutoff`) is moved to the day before the deadline when the
        deadline comes first: figures cannot be counted after the form is due."""
        if self.settings.get("cutoff"):
            return dt.date.fromisoformat(str(self.settings["cutoff"]))
        period = self.period_info
        if period is None:
            return None
        day = period.default_cutoff()
        if self.deadline is not None and self.deadline <= day:
            day = self.deadline - dt.timedelta(days=1)
        return day

    def cutoff_text(self) -> str:
        """'đến hết ngày 14/6/2025', or '' when the period is not known."""
        return f"đến hết ngày {format_date_short(self.cutoff)}" if self.cutoff else ""

    @property
    def root_unit(self) -> Unit:
        return self.roster[self.root]

    @cached_property
    def levels(self) -> list[str]:
        """Levels of the whole tree, so a district's form still shows Cấp tỉnh.

        On the official trees this includes the national level above the provinces; a
        level table shows its row only when the form declares ``national_row``
        (:meth:`Table.rows`), so forms without it keep their rows in every campaign.

        Asked for several times per file ingested; the tree cannot change within a run."""
        return self.workspace.full_roster(self.roster_choice).levels()

    def unit_label(self, code: str) -> str:
        """'Phường Đức Xuân (mã 01840), Thành phố Bắc Kạn, Tỉnh Bắc Kạn'."""
        full = self.workspace.full_roster(self.roster_choice)
        unit = full[code]
        chain = [a.name for a in full.ancestors(code) if a.level != NATIONAL]
        return ", ".join([f"{unit.name} (mã {unit.code})", *chain])

    def deadline_text(self) -> str:
        if self.deadline is None:
            return ""
        return f"trước ngày {format_date_short(self.deadline)}"

    def folder(self, kind: str) -> Path:
        path = self.workspace.path / kind / self.id
        path.mkdir(parents=True, exist_ok=True)
        return path


class Workspace:
    """The folder of one office's campaigns: store, inbox, archive, outputs."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise ConsolidateError("workspace-not-folder", path=self.path)

    @property
    def store_path(self) -> Path:
        return self.path / STORE_NAME

    @property
    def exists(self) -> bool:
        return self.store_path.exists()

    @cached_property
    def store(self) -> Store:
        if not self.exists:
            raise ConsolidateError("workspace-missing", path=self.path)
        return Store(self.store_path)

    @property
    def inbox(self) -> Path:
        return self.path / "inbox"

    @property
    def archive(self) -> Path:
        return self.path / "archive"

    @contextmanager
    def lock(self, timeout: float = 30) -> Iterator[None]:
        """One run at a time per workspace: two runs must never interleave their writes.

        Re-entrant within a process (``forms``/``report`` may call code that locks again).
        On first entry, temporary files left by a run that was killed are swept away:
        holding the lock, nobody else can be writing them.
        """
        key = str(self.path.resolve() / ".consolidate.lock")
        lock = _locks.setdefault(key, FileLock(key))
        first = not lock.is_locked
        try:
            lock.acquire(timeout=timeout)
        except Timeout as exc:
            raise ConsolidateError("workspace-busy", path=self.path) from exc
        try:
            if first:
                self.sweep_temporary()
            yield
        finally:
            lock.release()

    def sweep_temporary(self) -> list[Path]:
        """Remove half-written outputs (``.tmp-*``) of a killed run; the real files are intact."""
        removed = []
        for folder in ("archive", "feedback", "reports", "forms"):
            root = self.path / folder
            if root.is_dir():
                for tmp in root.rglob(f"{TEMP_PREFIX}*"):
                    if tmp.is_file():
                        tmp.unlink(missing_ok=True)
                        removed.append(tmp)
        return removed

    @cached_property
    def secret(self) -> bytes:
        """The workspace's random key for form tokens, created once (WS/.secret)."""
        path = self.path / SECRET_NAME
        if not path.exists():
            self.path.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # created by a concurrent first use: read theirs
            else:
                with os.fdopen(fd, "w", encoding="ascii") as fh:
                    fh.write(secrets.token_hex(32) + "\n")
        text = path.read_text(encoding="ascii").strip()
        if len(text) < 32:
            raise ConsolidateError("secret-damaged", path=path)
        return bytes.fromhex(text)

    @cached_property
    def issuer(self) -> str:
        """A public id of this workspace, written in the forms it issues (not the secret)."""
        return hashlib.sha256(b"consolidate-issuer:" + self.secret).hexdigest()[:16]

    def full_roster(self, choice: str) -> Roster:
        if choice in ("2024", "2025"):
            return resolve_roster(choice)
        path = self.path / choice
        stat = path.stat()
        return _custom_roster(str(path), stat.st_mtime_ns, stat.st_size)

    def campaigns(self) -> list[Campaign]:
        return [self._campaign(row) for row in self.store.campaigns()]

    def _campaign(self, row: dict[str, Any]) -> Campaign:
        deadline = dt.date.fromisoformat(row["deadline"]) if row["deadline"] else None
        return Campaign(row["id"], row["form_id"], row["form_version"], row["period"],
                        row["root"], deadline, row["roster"], self, row["settings"])

    def campaign(self, campaign_id: str | None = None) -> Campaign:
        """A campaign by id, or the one most recently created."""
        campaigns = self.campaigns()
        if not campaigns:
            raise ConsolidateError("workspace-missing", path=self.path)
        if campaign_id is None:
            return campaigns[-1]
        for c in campaigns:
            if c.id == campaign_id:
                return c
        known = ", ".join(c.id for c in campaigns)
        raise ConsolidateError("campaign-unknown", found=campaign_id, expected=known)

    def previous_campaign(self, campaign: Campaign) -> Campaign | None:
        """The same form and root in the same period a year earlier ("cùng kỳ"), if held."""
        period = campaign.period_info
        if period is None:
            return None
        earlier = period.year_before().id
        for other in self.campaigns():
            if (other.form_id, other.root, other.period) == (campaign.form_id, campaign.root,
                                                             earlier):
                return other
        return None



def init_campaign(path: str | Path, form: str, period: str, unit: str,
                  deadline: dt.date | None = None, roster: str | Path | None = None,
                  settings: dict[str, Any] | None = None) -> Campaign:
    """Create a campaign in a workspace folder; the folder is created if needed.

    Everything is checked before anything is written (form, period, roster, unit, an
    existing campaign of the same id), and a failure while writing removes the workspace
    folder again if this call created it: a refused ``init`` leaves nothing behind.
    """
    ws = Workspace(path)
    spec = load_spec(form)
    parsed = parse_period(period)
    period_id = parsed.id
    check_in_period(parsed, "Hạn nộp", deadline)
    if settings and settings.get("cutoff"):
        check_in_period(parsed, "Thời gian chốt số liệu",
                        dt.date.fromisoformat(str(settings["cutoff"])))
    choice, full = _read_roster(ws, roster)
    _check_unit(full, choice, unit)
    campaign_id = f"{spec.id}-{period_id}-{unit}"
    _check_new(ws, campaign_id)
    created = not ws.path.exists()
    try:
        ws.path.mkdir(parents=True, exist_ok=True)
        with ws.lock():
            _check_new(ws, campaign_id)  # another run may have created it meanwhile
            _write_campaign(ws, {
                "id": campaign_id, "form_id": spec.id, "form_version": spec.version,
                "period": period_id, "root": unit,
                "deadline": deadline.isoformat() if deadline else None,
                "roster": _adopt_roster(ws, roster, campaign_id), "created_at": now_iso(),
                "settings": settings or {},
            })
    except BaseException:
        if created:
            _locks.pop(str(ws.path.resolve() / ".consolidate.lock"), None)
            shutil.rmtree(ws.path, ignore_errors=True)
        raise
    return ws.campaign(campaign_id)


def _write_campaign(ws: Workspace, row: dict[str, Any]) -> None:
    for folder in (ws.inbox, ws.archive):
        folder.mkdir(exist_ok=True)
    ws.secret  # noqa: B018 - created once, with the workspace
    store = Store(ws.store_path)
    try:
        store.add_campaign(row)
    finally:
        store.close()


def _check_new(ws: Workspace, campaign_id: str) -> None:
    """Re-running ``init`` must not silently change a campaign whose forms may be out."""
    if not ws.exists:
        return
    store = Store(ws.store_path)
    try:
        known = {row["id"] for row in store.campaigns()}
    finally:
        store.close()
    if campaign_id in known:
        raise ConsolidateError("campaign-exists", campaign=campaign_id, path=ws.path)


def _read_roster(ws: Workspace, roster: str | Path | None) -> tuple[str, Roster]:
    """The roster choice and its tree, read (and so checked) before anything is written."""
    if roster is None or str(roster) in ("2024", "2025"):
        choice = str(roster or "2024")
        return choice, ws.full_roster(choice)
    return str(roster), resolve_roster(roster)


def _check_unit(full: Roster, choice: str, unit: str) -> None:
    """The root unit must be in the roster; for an official one, say what became of it."""
    if unit in full:
        return
    why = explain_missing(unit, choice)
    if why:
        raise ConsolidateError("unit-moved", found=unit, roster=DESCRIPTION[choice], detail=why)
    raise ConsolidateError("unit-not-in-roster", found=unit)


def _adopt_roster(ws: Workspace, roster: str | Path | None, campaign_id: str) -> str:
    """'2024'/'2025' for the official trees; a custom file is copied into the workspace.

    A different roster already there (another campaign's) is never overwritten: that
    campaign's tree would change under it; this one gets a copy named after it."""
    if roster is None or str(roster) in ("2024", "2025"):
        return str(roster or "2024")
    source = Path(roster)
    target = ws.path / f"roster{source.suffix.lower()}"
    if target.exists() and source.resolve() != target.resolve() and \
            target.read_bytes() != source.read_bytes():
        target = ws.path / f"roster-{campaign_id}{source.suffix.lower()}"
    if source.resolve() != target.resolve():
        shutil.copyfile(source, target)
    return target.name


@lru_cache(maxsize=8)
def _custom_roster(path: str, mtime_ns: int, size: int) -> Roster:
    """A custom roster file, read once per version of the file (it is asked for per file)."""
    return resolve_roster(Path(path))
