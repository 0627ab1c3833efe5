"""Ingest completed workbooks: archive, read, validate, store.

For every file: the original bytes are archived by content hash before anything
else; the workbook is read with python-calamine; the unit, form and period come
from the workbook's hidden metadata, never from its file name; every cell is
found by the keys the form carries (hidden column A and key row), so inserted
rows, moved columns or renamed sheets do not shift values; every value is read
strictly (``numbers.parse_whole``) and anything uncertain is a finding naming the
file, sheet and cell. One bad file never stops the run: its findings go in the
report and the run goes on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from consolidate.core.errors import ERROR, Finding, Report, finding
from consolidate.core.files import atomic_write, checkpoint
from consolidate.core.numbers import (
    ParseError,
    parse_date,
    parse_decimal,
    parse_whole,
    parse_yes_no,
)
from consolidate.core.roster import Unit
from consolidate.core.spec import NUMERIC_KINDS, FormSpec, Table
from consolidate.core.vocabulary import now_iso
from consolidate.core.workspace import Campaign, Workspace
from consolidate.forms import layout
from consolidate.intake.safety import cell_findings, check_container, check_token
from consolidate.rollup.checks import run_checks
from consolidate.rollup.indicators import parse_target

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}
#: Files in an inbox that are never submissions: office lock files, OS litter, our temp files.
IGNORED_PREFIXES = ("~$", ".~lock", "._", ".tmp-")
STATUS_WORDS = {"accepted": "đã tiếp nhận", "rejected": "bị từ chối"}
IGNORED_NAMES = {".ds_store", "thumbs.db", "desktop.ini", ".gitkeep", ".gitignore"}
DETAIL_MARK = "#detail"
SUBTOTAL_MARK = "#subtotal"
DATA_SHEET = "_data"  # in a consolidated workbook: every cell of the subtree, for the relay
DATA_COLUMNS = ("unit", "tbl", "row", "col", "num", "text", "sheet", "cell")

Progress = Callable[[int], None]
Grid = list[list[Any]]


@dataclass
class Parsed:
    """What one workbook says, before it is stored."""

    meta: dict[str, str]
    cells: list[tuple[Any, ...]] = field(default_factory=list)  # (tbl,row,col,num,text,sheet,cell)
    relays: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    stated: list[tuple[Any, ...]] = field(default_factory=list)  # a roll-up's own figures
    findings: list[Finding] = field(default_factory=list)


# --------------------------------------------------------------------------- reading


def open_workbook(data: bytes) -> CalamineWorkbook:
    return CalamineWorkbook.from_filelike(io.BytesIO(data))


def read_sheets(wb: CalamineWorkbook) -> tuple[dict[str, Grid], dict[str, Any]]:
    """Every sheet as a grid anchored at A1 (so (i, j) is row i+1, column j+1) and its
    merged ranges, each sheet parsed once."""
    grids: dict[str, Grid] = {}
    merges: dict[str, Any] = {}
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        grids[name] = sheet.to_python(skip_empty_area=False)
        merges[name] = sheet.merged_cell_ranges
    return grids, merges


def read_meta(grids: dict[str, Grid]) -> dict[str, str] | None:
    grid = grids.get(layout.META_SHEET)
    if not grid:
        return None
    return {str(r[0]).strip(): _text(r[1]) for r in grid if len(r) >= 2 and r[0]}


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def cell_ref(i: int, j: int) -> str:
    return f"{get_column_letter(j + 1)}{i + 1}"


def find_sheet(grids: dict[str, Grid], mark: str, preferred: str) -> tuple[str, Grid] | None:
    """The sheet whose A1 holds the mark: by its usual name first, then any (renamed) sheet."""
    for name in [preferred, *grids]:
        grid = grids.get(name)
        if grid and grid[0] and str(grid[0][0]).strip() == mark:
            return name, grid
    return None


def key_index(grid: Grid) -> tuple[dict[str, int], dict[str, int]]:
    """Row keys (hidden column A) and column keys (the hidden key row)."""
    rows: dict[str, int] = {}
    cols: dict[str, int] = {}
    for i, r in enumerate(grid):
        key = str(r[0]).strip() if r and r[0] is not None else ""
        if key == layout.COLUMN_KEYS_MARK and not cols:
            cols = {str(v).strip(): j for j, v in enumerate(r) if j and v not in ("", None)}
        elif key and key not in rows:
            rows[key] = i
    return rows, cols


def _at(grid: Grid, i: int, j: int) -> Any:
    row = grid[i] if i < len(grid) else []
    return row[j] if j < len(row) else None


# --------------------------------------------------------------------------- parsing


PARSERS: dict[str, Callable[[Any], Any]] = {
    "count": parse_whole, "money": parse_whole, "decimal": parse_decimal,
    "yes_no": parse_yes_no, "date": parse_date, "target": parse_target,
}


def to_cell(kind: str, value: Any) -> tuple[Any, Any]:
    """A parsed value as the store keeps it: (num, text)."""
    if kind == "yes_no":
        return int(value), ("Có" if value else "Không")
    if kind == "date":
        return None, value.isoformat()
    if kind == "target":
        return value.value, str(value)
    if kind in ("count", "money", "decimal"):
        return value, None
    return None, str(value).strip()


class Reader:
    """Reads one workbook against one campaign's spec, collecting findings."""

    def __init__(self, campaign: Campaign, file_name: str):
        self.campaign = campaign
        self.spec: FormSpec = campaign.spec
        self.file = file_name

    def parse(self, grids: dict[str, Grid], meta: dict[str, str], unit: Unit) -> Parsed:
        parsed = Parsed(meta)
        if meta.get("kind") == "rollup":
            self._read_rollup(grids, unit, parsed)
            return parsed
        where: dict[tuple[str, str, str], tuple[str, str]] = {}
        for table in self.spec.tables:
            self._read_table(grids, table, unit, parsed, where)
        self._read_narrative(grids, parsed)
        values = {(c[0], c[1], c[2]): c[3] for c in parsed.cells if c[3] is not None}
        parsed.findings += run_checks(self.spec, values, unit.code, self.file, where)
        return parsed

    def _read_table(self, grids: dict[str, Grid], table: Table, unit: Unit, parsed: Parsed,
                    where: dict[tuple[str, str, str], tuple[str, str]],
                    stated: bool = False) -> None:
        found = find_sheet(grids, layout.TABLE_MARK + table.id, table.sheet)
        if found is None:
            parsed.findings.append(finding("sheet-missing", file=self.file, expected=table.sheet,
                                           unit=unit.code))
            return
        sheet, grid = found
        rows, cols = key_index(grid)
        missing = [c for c in table.columns if c.id not in cols]
        for column in missing:
            parsed.findings.append(finding("column-missing", file=self.file, sheet=sheet,
                                           unit=unit.code, expected=column.label))
        for row in table.rows(self.campaign.levels):
            if row.is_total or (table.kind == "list" and row.id not in rows):
                continue
            if row.id not in rows:
                parsed.findings.append(finding("row-missing", file=self.file, sheet=sheet,
                                               expected=row.label, unit=unit.code))
                continue
            for column in table.columns:
                if column in missing:
                    continue
                i, j = rows[row.id], cols[column.id]
                kind = table.kind_of(row, column)
                counted = stated or table.accepts(row, column, unit.level)
                if stated and kind not in NUMERIC_KINDS:
                    continue
                label = f"{table.sheet}, {layout.label_text(row).splitlines()[0]}, {column.label}"
                cell = self._read_value(_at(grid, i, j), kind, counted,
                                        (table.id, row.id, column.id, sheet, cell_ref(i, j),
                                         label), unit, parsed)
                if cell:
                    where[(table.id, row.id, column.id)] = (sheet, cell_ref(i, j))

    def _read_value(self, raw: Any, kind: str, counted: bool, where: tuple[str, ...],
                    unit: Unit, parsed: Parsed) -> bool:
        tbl, row, col, sheet, ref, label = where
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return False
        if not counted:
            parsed.findings.append(finding("value-in-computed-cell", file=self.file, sheet=sheet,
                                           cell=ref, found=raw, label=label, unit=unit.code))
            return False
        parser = PARSERS.get(kind)
        try:
            value = parser(raw) if parser else raw
        except ParseError as exc:
            parsed.findings.append(finding("value-not-number", file=self.file, sheet=sheet,
                                           cell=ref, found=raw, expected=exc.expected,
                                           label=label, unit=unit.code))
            return False
        if value is None:
            return False
        parsed.cells.append((tbl, row, col, *to_cell(kind, value), sheet, ref))
        return True

    def _read_narrative(self, grids: dict[str, Grid], parsed: Parsed) -> None:
        found = find_sheet(grids, layout.NARRATIVE_MARK, layout.NARRATIVE_SHEET)
        if found is None or not self.spec.narrative:
            return
        sheet, grid = found
        rows, _ = key_index(grid)
        for item in self.spec.narrative:
            if item.id in rows:
                value = _at(grid, rows[item.id], 2)
                if value not in (None, ""):
                    parsed.cells.append(("narrative", item.id, "text", None, str(value).strip(),
                                         sheet, cell_ref(rows[item.id], 2)))

    def _read_rollup(self, grids: dict[str, Grid], unit: Unit, parsed: Parsed) -> None:
        """A consolidated workbook: the unit's own and its descendants' cells from the data
        sheet (relay), and the figures it states in its tables, to reconcile with detail."""
        data = grids.get(DATA_SHEET)
        if not data:
            parsed.findings.append(finding("sheet-missing", file=self.file, unit=unit.code,
                                           expected=DATA_SHEET))
            return
        members = {u.code for u in self.campaign.roster.subtree(unit.code).units()}
        for i, rec in enumerate(data[1:], start=1):
            code = _text(rec[0]) if rec else ""
            if not code:
                continue
            if code not in members:
                parsed.findings.append(finding("unit-unknown", file=self.file, sheet=DATA_SHEET,
                                               cell=cell_ref(i, 0), found=code,
                                               expected=f"{unit.name} và đơn vị trực thuộc"))
                continue
            num = rec[4] if len(rec) > 4 and rec[4] not in ("", None) else None
            text = _text(rec[5]) if len(rec) > 5 and rec[5] not in ("", None) else None
            cell = (_text(rec[1]), _text(rec[2]), _text(rec[3]), num, text,
                    _text(rec[6]) if len(rec) > 6 else "", _text(rec[7]) if len(rec) > 7 else "")
            target = parsed.cells if code == unit.code else parsed.relays.setdefault(code, [])
            target.append(cell)
        stated = Parsed(parsed.meta)
        for table in self.spec.tables:
            if table.kind != "list":
                self._read_table(grids, table, unit, stated, {}, stated=True)
        parsed.findings += stated.findings
        parsed.stated = stated.cells


# --------------------------------------------------------------------------- the run


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
           progress: Progress | None = None) -> Report:
    """Ingest files or folders (default: the inbox). Never stops at a bad file."""
    files = collect_files(list(paths) if paths else [workspace.inbox])
    report = Report(stats={"files": len(files), "accepted": 0, "rejected": 0, "duplicate": 0})
    campaigns = {(c.form_id, c.period): c for c in workspace.campaigns()}
    with workspace.lock():
        for path in files:
            outcome = ingest_file(workspace, campaigns, path)
            report.stats[outcome.status] += 1
            report.add(outcome.findings)
            if progress:
                progress(1)
        from consolidate.intake.feedback import write_feedback

        write_feedback(workspace)  # WS/feedback/<campaign>/: what each unit must fix
    return report


def ingest_file(workspace: Workspace, campaigns: dict[tuple[str, str], Campaign],
                path: Path) -> Outcome:
    name = path.name
    try:
        data = path.read_bytes()
        received = dt.datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    except OSError as exc:
        return Outcome(name, "rejected", findings=[
            finding("file-unreadable", file=name, detail=exc.strerror or str(exc))])
    sha = hashlib.sha256(data).hexdigest()
    store = workspace.store
    known = store.file(sha)
    if known is not None:
        with store.transaction() as db:
            store.record_name(db, sha, name, now_iso())
        return Outcome(name, "duplicate", known["unit"] or "", [finding(
            "file-duplicate", file=name, detail=f"tệp {known['name']}, "
            f"{STATUS_WORDS.get(known['status'], known['status'])}")])
    archive(workspace, sha, path.suffix, data)
    checkpoint("ingest:archived")
    try:
        campaign, unit, parsed = _parse(campaigns, name, data)
    except Exception as exc:  # noqa: BLE001 - one strange file never stops the run
        campaign, unit, parsed = None, None, Parsed({}, findings=[finding(
            "file-unreadable", file=name, detail=f"lỗi khi đọc tệp ({_short(exc)})")])
    errors = [f for f in parsed.findings if f.severity == ERROR]
    status = "rejected" if errors else "accepted"
    if status == "accepted" and campaign and unit:
        from consolidate.intake.history import arrival_notes

        parsed.findings += arrival_notes(store, campaign, unit.code, name)
    info = {
        "sha256": sha, "name": name, "size": len(data),
        "received_at": received.isoformat(timespec="seconds"), "ingested_at": now_iso(),
        "campaign": campaign.id if campaign else None, "unit": unit.code if unit else None,
        "status": status,
        "findings": json.dumps([f.to_dict() for f in parsed.findings], ensure_ascii=False),
    }
    with store.transaction() as db:
        store.record_file(db, info)
        checkpoint("ingest:in-transaction")
        if status == "accepted" and campaign and unit:
            _store_submission(store, db, campaign, unit, parsed, info)
    checkpoint("ingest:committed")
    return Outcome(name, status, info["unit"] or "", parsed.findings)


def archive(workspace: Workspace, sha: str, suffix: str, data: bytes) -> Path:
    """Keep the original bytes, by hash, before any parsing: nothing received is ever lost."""
    safe_suffix = suffix.lower() if suffix.lower() in SPREADSHEET_SUFFIXES else ".bin"
    target = workspace.archive / sha[:2] / f"{sha}{safe_suffix}"
    if not target.exists():
        atomic_write(target, data)
    return target


def _parse(campaigns: dict[tuple[str, str], Campaign], name: str,
           data: bytes) -> tuple[Campaign | None, Unit | None, Parsed]:
    """Identify the workbook's campaign and unit, then read it; findings instead of raising.

    The bytes are checked first (``safety.check_container``: size and ratio limits from
    the zip directory, DTDs, encryption, what the file really is); only then does
    calamine parse them.
    """
    empty = Parsed({})
    container = check_container(name, data)
    if not container.readable:
        empty.findings.extend(container.findings)
        return None, None, empty
    try:
        book = open_workbook(data)
        grids, merges = read_sheets(book)
    except Exception as exc:  # calamine raises several error types for non-workbooks
        detail = _short(exc)
        code = "file-encrypted" if "password" in detail.lower() else "file-unreadable"
        empty.findings.append(finding(code, file=name, detail=detail))
        return None, None, empty
    meta = read_meta(grids)
    if not meta:
        empty.findings.append(finding("metadata-missing", file=name))
        return None, None, empty
    campaign, problem = _match_campaign(campaigns, meta, name)
    if campaign is None:
        empty.meta = meta
        empty.findings.extend([problem] if problem else [])
        return None, None, empty
    code = meta.get("unit_code", "")
    if code not in campaign.roster:
        expected = f"{campaign.root_unit.name} và các đơn vị trực thuộc"
        empty.findings.append(finding("unit-unknown", file=name, found=code, expected=expected))
        return campaign, None, empty
    ws = campaign.workspace
    problem = check_token(ws.secret, ws.issuer, meta, name)
    if problem is not None and problem.severity == ERROR:
        empty.meta = meta  # relabelled: the unit it names is not who sent it
        empty.findings.append(problem)
        return campaign, None, empty
    unit = campaign.roster[code]
    parsed = Reader(campaign, name).parse(grids, meta, unit)
    checks = cell_findings(container, merges, input_cells(campaign, grids, unit), grids,
                           name, unit.code, check_styles=meta.get("kind") != "rollup")
    parsed.findings[:0] = [*container.findings, *([problem] if problem else []), *checks]
    return campaign, unit, parsed


def input_cells(campaign: Campaign, grids: dict[str, Grid],
                unit: Unit) -> dict[str, dict[tuple[int, int], tuple[str, bool]]]:
    """Where this unit types: sheet -> {(row, col): (label, True)}, found by the form's keys."""
    out: dict[str, dict[tuple[int, int], tuple[str, bool]]] = {}
    for table in campaign.spec.tables:
        found = find_sheet(grids, layout.TABLE_MARK + table.id, table.sheet)
        if found is None:
            continue
        sheet, grid = found
        rows, cols = key_index(grid)
        cells = out.setdefault(sheet, {})
        for row in table.rows(campaign.levels):
            if row.is_total or row.id not in rows:
                continue
            for column in table.columns:
                if column.id in cols and table.accepts(row, column, unit.level):
                    label = f"{table.sheet}, {layout.label_text(row).splitlines()[0]}, " \
                            f"{column.label}"
                    cells[(rows[row.id], cols[column.id])] = (label, True)
    found = find_sheet(grids, layout.NARRATIVE_MARK, layout.NARRATIVE_SHEET)
    if found is not None:
        sheet, grid = found
        rows, _ = key_index(grid)
        labels = {item.id: item.label for item in campaign.spec.narrative}
        cells = out.setdefault(sheet, {})
        for key, i in rows.items():
            if key in labels:
                cells[(i, 2)] = (f"{sheet}, {labels[key]}", True)
    return out


def _match_campaign(campaigns: dict[tuple[str, str], Campaign], meta: dict[str, str],
                    name: str) -> tuple[Campaign | None, Finding | None]:
    form_id, period = meta.get("form_id", ""), meta.get("period", "")
    campaign = campaigns.get((form_id, period))
    if campaign is None:
        forms = {c.form_id for c in campaigns.values()}
        if form_id not in forms:
            return None, finding("form-mismatch", file=name, found=form_id,
                                 expected=", ".join(sorted(forms)))
        periods = sorted(c.period for c in campaigns.values() if c.form_id == form_id)
        return None, finding("period-mismatch", file=name, found=period,
                             expected=", ".join(periods))
    if meta.get("form_version") != str(campaign.spec.version):
        return None, finding("form-version-mismatch", file=name,
                             found=meta.get("form_version"), expected=campaign.spec.version)
    return campaign, None


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def _store_submission(store: Any, db: Any, campaign: Campaign, unit: Unit, parsed: Parsed,
                      info: dict[str, Any]) -> None:
    source = "rollup" if parsed.meta.get("kind") == "rollup" else "form"
    base = {"campaign": campaign.id, "sha256": info["sha256"],
            "received_at": info["received_at"]}
    store.add_submission(db, {**base, "unit": unit.code, "source": source, "via": None},
                         parsed.cells)
    for code, cells in parsed.relays.items():
        store.add_submission(db, {**base, "unit": code, "source": "relay", "via": unit.code},
                             cells)
    if parsed.stated:
        store.add_submission(db, {**base, "unit": unit.code, "source": "stated", "via": None},
                             parsed.stated)
