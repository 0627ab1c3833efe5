"""The ingest run: archive every file, check it, read it, store it.

For every file: the original bytes are archived by content hash before anything
else; the bytes are checked before any parser sees them (:mod:`.container`); the
workbook is identified by its own metadata and read against its campaign's form
(:mod:`.read`), its form token checked (:mod:`consolidate.forms.token`) and its
input cells checked (:mod:`.cells`), in worker processes for a large run
(:mod:`.parallel`); then, in the order the files were given, each file's row, its
findings and its submission are stored, many files per transaction. One bad file
never stops the run: its findings go in the report and the run goes on.

The run neither takes the workspace lock nor writes feedback: the API does both
around it (``consolidate.api.ingest``), so this module depends on nothing that
reads its results.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

from consolidate.core.errors import Finding, Report, finding
from consolidate.core.files import atomic_write, checkpoint
from consolidate.core.period import period_text
from consolidate.core.roster import Unit
from consolidate.core.store import Store
from consolidate.core.vocabulary import now_iso, when_text
from consolidate.core.workspace import Campaign, Workspace
from consolidate.forms.token import check_token
from consolidate.intake.cells import cell_findings, input_cells
from consolidate.intake.container import check_container, error_detail
from consolidate.intake.locked import blank_sheets, locked_findings
from consolidate.intake.parallel import TakePool, chunk_size, pool_workers
from consolidate.intake.read import (
    Grid,
    Parsed,
    Reader,
    SheetError,
    read_meta,
    read_workbook,
)

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}
#: Files in an inbox that are never submissions: office lock files, OS litter, our temp files.
IGNORED_PREFIXES = ("~$", ".~lock", "._", ".tmp-")
IGNORED_NAMES = {".ds_store", "thumbs.db", "desktop.ini", ".gitkeep", ".gitignore"}
#: Findings about a value typed outside the input cells: a form with only these is not blank.
TYPED_ELSEWHERE = {"value-in-computed-cell", "text-outside-input", "total-mismatch"}
STATUS_WORDS = {"accepted": "đã tiếp nhận", "rejected": "bị từ chối"}

#: Files stored per transaction (see :func:`_store_batch`): a commit costs a few
#: milliseconds (WAL, synchronous=NORMAL), a file's rows a tenth of one.
BATCH_FILES = 64

#: The archive's folders: a file is kept under the first two hex digits of its hash.
ARCHIVE_FOLDERS = [f"{i:02x}" for i in range(256)]

Progress = Callable[[int], None]
Campaigns = dict[tuple[str, str], Campaign]  # (form id, period) -> campaign


@dataclass
class Outcome:
    """What happened to one file, for the report and the status listing."""

    file: str
    status: str  # accepted | rejected | duplicate
    unit: str = ""
    findings: list[Finding] = field(default_factory=list)


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Files given, and every file inside folders given (office lock files and OS litter
    skipped; any other name, even '..bao cao.xlsx', is a file someone sent: it is read)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and not _ignored(p))
        else:
            files.append(path)
    return files


def _ignored(path: Path) -> bool:
    return path.name.startswith(IGNORED_PREFIXES) or path.name.lower() in IGNORED_NAMES


def ingest(workspace: Workspace, paths: Iterable[Path] | None = None,
           progress: Progress | None = None, workers: int | None = None,
           outcomes: list[Outcome] | None = None) -> Report:
    """Ingest files or folders (default: the inbox). Never stops at a bad file.

    Files are taken in (read, archived, checked, read as workbooks: :func:`take`) in worker
    processes when there are enough of them (``workers``: how many, 1 for none; default
    chosen by :func:`.parallel.pool_workers`) and stored in the order given,
    ``BATCH_FILES`` per transaction. The caller holds the workspace lock and writes the
    feedback afterwards. ``outcomes``, if given, is told what became of each file (its
    status and unit), in order: the web page shows it beside the file's name.
    """
    files = collect_files([workspace.inbox] if paths is None else list(paths))
    report = Report(stats={"files": len(files), "accepted": 0, "rejected": 0, "duplicate": 0})
    campaigns = {(c.form_id, c.period): c for c in workspace.campaigns()}
    known = workspace.store.shas()
    workers = pool_workers(len(files), workers)
    if workers:
        for campaign in campaigns.values():
            warm(campaign)
        archive_folders(workspace)
    taker = partial(take, workspace, campaigns, frozenset(known))
    rebuild = partial(_taker, str(workspace.path), frozenset(known))
    notes = Arrivals(workspace.store)
    with TakePool(taker, workers, chunk_size(len(files), workers), rebuild) as pool:
        results = pool.ordered(files)
        while batch := list(islice(results, BATCH_FILES)):
            for outcome in _store_batch(workspace, batch, known, notes):
                report.stats[outcome.status] += 1
                report.add(outcome.findings)
                if outcomes is not None:
                    outcomes.append(outcome)
                if progress:
                    progress(1)
    return report


def _taker(path: str, known: frozenset[str]) -> Callable[[Path], Taken]:
    """:func:`take` for a worker that starts afresh (spawned): it opens the workspace."""
    workspace = Workspace(Path(path))
    return partial(take, workspace, {(c.form_id, c.period): c for c in workspace.campaigns()},
                   known)


def warm(campaign: Campaign) -> None:
    """Load once, before worker processes fork, what reading any of the campaign's workbooks
    needs (its spec, its roster, the blank form of each level), so no worker loads it again."""
    by_level = {unit.level: unit for unit in campaign.roster.units()}
    campaign.levels  # noqa: B018 - cached on the campaign
    for unit in by_level.values():
        blank_sheets(campaign, unit)


def archive_folders(workspace: Workspace) -> None:
    """Make the archive's folders (one per first two hex digits of a hash) before a large
    run, once per workspace: a folder made on demand costs its first file a failed open
    and a mkdir, a fifth of what taking in a file costs."""
    present = {p.name for p in workspace.archive.iterdir()} if workspace.archive.is_dir() \
        else set()
    for name in ARCHIVE_FOLDERS:
        if name not in present:
            (workspace.archive / name).mkdir(parents=True, exist_ok=True)


def ingest_file(workspace: Workspace, campaigns: Campaigns, path: Path) -> Outcome:
    """Archive, check, read and store one file; a file seen before changes nothing."""
    known = StoredShas(workspace.store)
    taken = take(workspace, campaigns, known, path)
    return _store_batch(workspace, [taken], known, Arrivals(workspace.store))[0]


class StoredShas:
    """The hashes of the files stored, asked of the store one file at a time: for a single
    file, cheaper than loading them all (:meth:`Store.shas`) as a run of many does."""

    def __init__(self, store: Store):
        self.store = store
        self.added: set[str] = set()

    def __contains__(self, sha: object) -> bool:
        return sha in self.added or (isinstance(sha, str) and self.store.file(sha) is not None)

    def add(self, sha: str) -> None:
        self.added.add(sha)


Known = set[str] | frozenset[str] | StoredShas


@dataclass
class Received:
    """One file as read from disk (its name, size, hash, when it arrived), or why not: what
    storing it needs, small enough to come back from a worker cheaply."""

    name: str
    size: int = 0
    sha: str = ""
    received: dt.datetime | None = None
    problem: Finding | None = None


#: What the check and read of a workbook found: its campaign's id, its unit's code (None
#: when it could not be told) and what it says, with every finding.
Result = tuple[str | None, str | None, Parsed]
#: One file taken in: as received, and its result (None: unreadable, or stored before).
Taken = tuple[Received, Result | None]


def receive(path: Path) -> tuple[Received, bytes]:
    name = path.name
    try:
        data = path.read_bytes()
        received = dt.datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    except OSError as exc:
        return Received(name, problem=finding(
            "file-unreadable", file=name, detail=exc.strerror or str(exc))), b""
    return Received(name, len(data), hashlib.sha256(data).hexdigest(), received), data


def take(workspace: Workspace, campaigns: Campaigns, known: Known, path: Path) -> Taken:
    """Read one file, archive its bytes before any parser sees them, then check and read
    them: touches nothing shared but the archive (written atomically, named by content),
    so it may run in a worker process. Bytes stored before (``known``) are not read again;
    bytes met twice in one run are read twice and stored once (:func:`_store_one`)."""
    got, data = receive(path)
    if got.problem or got.sha in known:
        return got, None
    archive(workspace, got.sha, path.suffix, data)
    checkpoint("ingest:archived")
    campaign, unit, parsed = parse_bytes(campaigns, got.name, data)
    return got, (campaign.id if campaign else None, unit.code if unit else None, parsed)


def parse_bytes(campaigns: Campaigns, name: str,
                data: bytes) -> tuple[Campaign | None, Unit | None, Parsed]:
    """Check and read one workbook's bytes: pure, so it may run in a worker process."""
    try:
        return _parse(campaigns, name, data)
    except SheetError as exc:  # a sheet calamine cannot parse, met when a check read it
        return None, None, Parsed({}, findings=[exc.problem])
    except Exception as exc:  # noqa: BLE001 - one strange file never stops the run
        return None, None, Parsed({}, findings=[finding(
            "file-unreadable", file=name, detail=f"lỗi khi đọc tệp ({error_detail(exc)})")])


def _store_batch(workspace: Workspace, batch: list[Taken], known: set[str] | StoredShas,
                 notes: Arrivals) -> list[Outcome]:
    """Store a batch of files, in order, in one transaction: a run killed before it commits
    leaves the store as it was before the batch (the archive keeps the bytes), and the next
    run, finding the same files, redoes the batch identically. ``known``: the hashes of the
    files stored, this batch's added as they are stored."""
    store = workspace.store
    with store.transaction() as db:
        outcomes = [_store_one(store, db, got, result, known, notes) for got, result in batch]
    checkpoint("ingest:committed")
    return outcomes


def _store_one(store: Store, db: Any, got: Received, result: Result | None,
               known: set[str] | StoredShas, notes: Arrivals) -> Outcome:
    """One file's row, findings and submissions, inside the batch's transaction."""
    if got.problem is not None:
        return Outcome(got.name, "rejected", findings=[got.problem])
    if got.sha in known or result is None:  # stored before, or earlier in this run
        return _duplicate(store, db, got.sha, got.name, store.file(got.sha) or {})
    campaign, unit, parsed = result
    accepted = not any(f.is_error for f in parsed.findings)
    if accepted and campaign and unit:
        parsed.findings += notes.of(campaign, unit, got.name)
    received = got.received or dt.datetime.now().astimezone()
    info = {
        "sha256": got.sha, "name": got.name, "size": got.size,
        "received_at": received.isoformat(timespec="seconds"), "ingested_at": now_iso(),
        "campaign": campaign, "unit": unit,
        "status": "accepted" if accepted else "rejected",
        "findings": json.dumps([f.to_dict() for f in parsed.findings], ensure_ascii=False),
    }
    store.record_file(db, info)
    known.add(got.sha)
    checkpoint("ingest:in-transaction")
    if accepted and campaign and unit:
        _store_submission(store, db, campaign, unit, parsed, info)
    checkpoint("ingest:stored")
    return Outcome(got.name, info["status"], info["unit"] or "", parsed.findings)


def _duplicate(store: Store, db: Any, sha: str, name: str, known: dict[str, Any]) -> Outcome:
    """The same bytes again: only the new name is remembered."""
    store.record_name(db, sha, name, now_iso())
    status = STATUS_WORDS.get(known.get("status", ""), known.get("status", ""))
    return Outcome(name, "duplicate", known.get("unit") or "", [finding(
        "file-duplicate", file=name, detail=f"tệp {known.get('name', name)}, {status}")])


def archive(workspace: Workspace, sha: str, suffix: str, data: bytes) -> Path:
    """Keep the original bytes, by hash, before any parsing: nothing received is ever lost."""
    safe_suffix = suffix.lower() if suffix.lower() in SPREADSHEET_SUFFIXES else ".bin"
    target = workspace.archive / sha[:2] / f"{sha}{safe_suffix}"
    if not target.exists():
        atomic_write(target, data)
    return target


# --------------------------------------------------------------------------- one workbook


def _parse(campaigns: Campaigns, name: str,
           data: bytes) -> tuple[Campaign | None, Unit | None, Parsed]:
    """Identify the workbook's campaign and unit, then read it; findings instead of raising.

    The bytes are checked first (:func:`.container.check_container`: size and ratio
    limits from the zip directory, DTDs, encryption, what the file really is); only
    then does calamine parse them.
    """
    container = check_container(name, data)
    if not container.readable:
        return None, None, Parsed({}, findings=list(container.findings))
    book = read_workbook(name, data)
    if isinstance(book, Finding):
        return None, None, Parsed({}, findings=[book])
    grids, merges = book
    campaign, unit, identified = _identify(campaigns, grids, name)
    if campaign is None or unit is None:
        return campaign, None, identified
    parsed = Reader(campaign, name).parse(grids, identified.meta, unit)
    checks = cell_findings(container, merges, input_cells(campaign, grids, unit), grids,
                           name, unit.code, check_styles=identified.meta.get("kind") != "rollup")
    parsed.findings[:0] = [*container.findings, *identified.findings, *checks]
    parsed.findings += locked_findings(campaign, grids, unit, parsed, container.formulas, name)
    parsed.findings += blank_form(parsed, name, unit.code)
    return campaign, unit, parsed


def blank_form(parsed: Parsed, name: str, unit: str) -> list[Finding]:
    """A form sent back with nothing typed in its input cells is not a report: refused, so
    the unit stays missing (the file is archived all the same). A 0 or "-" is a figure,
    so a form saying "nothing to report" counts; a form whose only entries were refused
    has its own errors and needs no second one."""
    if parsed.meta.get("kind") == "rollup" or parsed.cells or parsed.relays:
        return []
    if any(f.is_error for f in parsed.findings):
        return []
    elsewhere = [f.cell for f in parsed.findings if f.code in TYPED_ELSEWHERE]
    if elsewhere:
        return [finding("form-no-input", file=name, unit=unit,
                        detail="ô " + ", ".join(elsewhere[:5]) + (" …" if len(elsewhere) > 5
                                                                  else ""))]
    return [finding("form-blank", file=name, unit=unit)]


def _identify(campaigns: Campaigns, grids: Mapping[str, Grid],
              name: str) -> tuple[Campaign | None, Unit | None, Parsed]:
    """Campaign and unit from the workbook's own metadata (never its file name), the form's
    token checked; when either cannot be trusted, no unit and the findings that say why."""
    out = Parsed({})
    meta = read_meta(grids)
    if not meta:
        out.findings.append(finding("metadata-missing", file=name))
        return None, None, out
    out.meta = meta
    campaign, problem = _match_campaign(campaigns, meta, name)
    if campaign is None:
        out.findings.extend([problem] if problem else [])
        return None, None, out
    code = meta.get("unit_code", "")
    if code not in campaign.roster:
        expected = f"{campaign.root_unit.name} và các đơn vị trực thuộc"
        out.findings.append(finding("unit-unknown", file=name, found=code, expected=expected))
        return campaign, None, out
    ws = campaign.workspace
    problem = check_token(ws.secret, ws.issuer, meta, name)
    out.findings.extend([problem] if problem else [])
    if problem is not None and problem.is_error:
        return campaign, None, out  # relabelled: the unit it names is not who sent it
    return campaign, campaign.roster[code], out


def _match_campaign(campaigns: Campaigns, meta: dict[str, str],
                    name: str) -> tuple[Campaign | None, Finding | None]:
    """The campaign of the workbook's form and period, or why none of this workspace's is."""
    form_id, period = meta.get("form_id", ""), meta.get("period", "")
    campaign = campaigns.get((form_id, period))
    if campaign is None:
        forms = {c.form_id for c in campaigns.values()}
        if form_id not in forms:
            return None, finding("form-mismatch", file=name, found=form_id,
                                 expected=", ".join(sorted(forms)))
        periods = sorted(c.period for c in campaigns.values() if c.form_id == form_id)
        return None, finding("period-mismatch", file=name, found=period,
                             expected=", ".join(periods), found_label=period_text(period),
                             expected_label=", ".join(period_text(p) for p in periods))
    if meta.get("form_version") != str(campaign.spec.version):
        return None, finding("form-version-mismatch", file=name,
                             found=meta.get("form_version"), expected=campaign.spec.version)
    return campaign, None


# --------------------------------------------------------------------------- storing


class Arrivals:
    """What a newly accepted file of a unit means for what counts, said to the officer: the
    campaign is closed, an older version is pinned, or it supersedes a version. Closings
    and pins are read once per campaign (an ingest never changes them); the version it
    supersedes is asked of the store each time (it may have come earlier in this run)."""

    def __init__(self, store: Store):
        self.store = store
        self.campaigns: dict[str, tuple[bool, dict[str, str]]] = {}

    def of(self, campaign: str, unit: str, name: str) -> list[Finding]:
        if campaign not in self.campaigns:
            self.campaigns[campaign] = (bool(self.store.closed_at(campaign)),
                                        self.store.pins(campaign))
        closed, pins = self.campaigns[campaign]
        notes: list[Finding] = []
        if closed:
            notes.append(finding("campaign-closed", file=name, unit=unit))
        elif pins.get(unit):
            row = self.store.file(pins[unit])
            notes.append(finding("version-pinned", file=name, unit=unit,
                                 detail=f"tệp {row['name'] if row else pins[unit][:12]}"))
        before = self.store.latest_direct_file(campaign, unit)
        if before is not None:
            when = when_text(before["received_at"])
            notes.append(finding("unit-resubmitted", file=name, unit=unit,
                                 detail=f"tệp {before['name']}, nhận lúc {when}"))
        return notes


def _store_submission(store: Store, db: Any, campaign: str, unit: str, parsed: Parsed,
                      info: dict[str, Any]) -> None:
    """The unit's submission, one per unit its relay data carries, and its stated figures."""
    source = "rollup" if parsed.meta.get("kind") == "rollup" else "form"
    base = {"campaign": campaign, "sha256": info["sha256"], "received_at": info["received_at"]}
    store.add_submission(db, {**base, "unit": unit, "source": source, "via": None},
                         parsed.cells)
    for code, cells in parsed.relays.items():
        store.add_submission(db, {**base, "unit": code, "source": "relay", "via": unit},
                             cells)
    if parsed.stated:
        store.add_submission(db, {**base, "unit": unit, "source": "stated", "via": None},
                             parsed.stated)
