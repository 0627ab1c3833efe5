"""Reading a workbook against a form's spec: grids, metadata, keys, values, findings.

The workbook is read with python-calamine, every sheet once, as a grid anchored at
A1. The unit, form and period come from the workbook's hidden ``_meta`` sheet,
never from its file name; every cell is found by the keys the form carries (hidden
column A and the hidden key row), so inserted rows, moved columns or renamed sheets
do not shift values; every value is read strictly (``numbers.parse_whole`` …) and
anything uncertain is a finding naming the file, sheet and cell. A consolidated
workbook (``kind=rollup``) is read through its relay data sheet
(:mod:`consolidate.forms.relay`) and the figures its tables state.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from consolidate.core.errors import Finding, finding
from consolidate.core.numbers import (
    ParseError,
    parse_date,
    parse_decimal,
    parse_whole,
    parse_yes_no,
)
from consolidate.core.roster import Unit
from consolidate.core.spec import NUMERIC_KINDS, RESULT, Column, FormSpec, Row, Table
from consolidate.core.workspace import Campaign
from consolidate.forms import layout, relay
from consolidate.forms.relay import cell_text
from consolidate.intake.container import error_detail
from consolidate.rollup.checks import run_checks, stated_results
from consolidate.rollup.indicators import parse_target

Grid = list[list[Any]]
#: (table, row, column) -> (sheet, cell) where the value was read, for the checks' findings
Where = dict[tuple[str, str, str], tuple[str, str]]


@dataclass
class Parsed:
    """What one workbook says, before it is stored."""

    meta: dict[str, str]
    cells: list[tuple[Any, ...]] = field(default_factory=list)  # (tbl,row,col,num,text,sheet,cell)
    relays: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    stated: list[tuple[Any, ...]] = field(default_factory=list)  # a roll-up's own figures
    findings: list[Finding] = field(default_factory=list)


# --------------------------------------------------------------------------- grids


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


class SheetGrid(list[list[Any]]):
    """A sheet's grid as read from a workbook (never changed afterwards), with its keys once
    :func:`key_index` has found them."""

    __slots__ = ("keys",)

    def __init__(self, rows: list[list[Any]]):
        super().__init__(rows)
        self.keys: tuple[dict[str, int], dict[str, int]] | None = None


class Sheets(Mapping[str, Grid]):
    """Every sheet of a workbook as a grid anchored at A1, parsed when first asked for: the
    checks find each sheet by its usual name first, so a form's instructions sheet is never
    parsed. ``merges`` maps each sheet to its merged ranges the same way."""

    def __init__(self, wb: CalamineWorkbook, file: str = ""):
        self.wb, self.file = wb, file
        self.names = list(wb.sheet_names)
        self.grids: dict[str, Grid] = {}
        self.merges = _Merges(self)
        self._merged: dict[str, Any] = {}

    def _load(self, name: str) -> None:
        try:
            sheet = self.wb.get_sheet_by_name(name)
            self.grids[name] = SheetGrid(sheet.to_python(skip_empty_area=False))
            self._merged[name] = sheet.merged_cell_ranges
        except Exception as exc:  # noqa: BLE001 - the reason goes to the officer
            raise SheetError(unreadable(self.file, exc)) from exc

    def __getitem__(self, name: str) -> Grid:
        if name not in self.grids:
            if name not in self.names:
                raise KeyError(name)
            self._load(name)
        return self.grids[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


class _Merges(Mapping[str, Any]):
    def __init__(self, sheets: Sheets):
        self.sheets = sheets

    def __getitem__(self, name: str) -> Any:
        self.sheets[name]  # noqa: B018 - parsed on first use
        return self.sheets._merged[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.sheets)

    def __len__(self) -> int:
        return len(self.sheets)


class SheetError(Exception):
    """A sheet calamine could not parse when it was first asked for: what the officer is told."""

    def __init__(self, problem: Finding):
        super().__init__(problem.message)
        self.problem = problem


def read_workbook(name: str, data: bytes) -> tuple[Sheets, Mapping[str, Any]] | Finding:
    """Grids and merged ranges of bytes that passed the container checks, or why they
    cannot be read (calamine raises several error types for non-workbooks). A sheet that
    fails when it is first parsed raises :class:`SheetError` with the same finding."""
    try:
        sheets = Sheets(open_workbook(data), name)
    except Exception as exc:  # noqa: BLE001 - the reason goes to the officer, not a traceback
        return unreadable(name, exc)
    return sheets, sheets.merges


def unreadable(name: str, exc: Exception) -> Finding:
    """Why calamine cannot read a file, as the officer's finding."""
    detail = error_detail(exc)
    code = "file-encrypted" if "password" in detail.lower() else "file-unreadable"
    return finding(code, file=name, detail=detail)


def read_meta(grids: Mapping[str, Grid]) -> dict[str, str] | None:
    """The form's identity (unit, form, version, period, token …) from its hidden sheet."""
    grid = grids.get(layout.META_SHEET)
    if not grid:
        return None
    return {str(r[0]).strip(): cell_text(r[1]) for r in grid if len(r) >= 2 and r[0]}


def cell_ref(i: int, j: int) -> str:
    """The A1 reference of grid position (i, j)."""
    return f"{get_column_letter(j + 1)}{i + 1}"


def value_at(grid: Grid, i: int, j: int) -> Any:
    """The value at (i, j), None beyond the grid's ragged edge."""
    row = grid[i] if i < len(grid) else []
    return row[j] if j < len(row) else None


def find_sheet(grids: Mapping[str, Grid], mark: str, preferred: str) -> tuple[str, Grid] | None:
    """The sheet whose A1 holds the mark: by its usual name first, then any (renamed) sheet."""
    for name in [preferred, *grids]:
        grid = grids.get(name)
        if grid and grid[0] and str(grid[0][0]).strip() == mark:
            return name, grid
    return None


def table_sheets(spec: FormSpec, grids: Mapping[str, Grid]
                 ) -> Iterator[tuple[Table, str, Grid, dict[str, int], dict[str, int]]]:
    """Each table of the spec found in the workbook: (table, sheet, grid, row keys,
    column keys); a table whose sheet is missing is left to the reader's finding."""
    for table in spec.tables:
        found = find_sheet(grids, layout.TABLE_MARK + table.id, table.sheet)
        if found is not None:
            sheet, grid = found
            yield (table, sheet, grid, *key_index(grid))


def key_index(grid: Grid) -> tuple[dict[str, int], dict[str, int]]:
    """Row keys (hidden column A) and column keys (the hidden key row); a sheet read from a
    workbook (:class:`SheetGrid`) works them out once for every check that asks."""
    known = getattr(grid, "keys", None)
    if known is None:
        known = _key_index(grid)
        if isinstance(grid, SheetGrid):
            grid.keys = known
    return known


def _key_index(grid: Grid) -> tuple[dict[str, int], dict[str, int]]:
    rows: dict[str, int] = {}
    cols: dict[str, int] = {}
    for i, r in enumerate(grid):
        key = str(r[0]).strip() if r and r[0] is not None else ""
        if key == layout.COLUMN_KEYS_MARK and not cols:
            cols = {str(v).strip(): j for j, v in enumerate(r) if j and v not in ("", None)}
        elif key and key not in rows:
            rows[key] = i
    return rows, cols


def element_label(table: Table, row: Row, column: Column) -> str:
    """'Biểu 1, Cấp xã, Số trẻ em tham dự': an element as findings and listings name it."""
    return f"{table.sheet}, {layout.label_text(row).splitlines()[0]}, {column.label}"


def own_cells(table: Table, column: Column, unit: Unit, levels: list[str],
              rows: dict[str, int], j: int) -> str:
    """'D9 (Cấp huyện)': where a unit types its figure of ``column`` in a table by levels,
    to say where a figure typed into a grey cell belongs ('' for other tables)."""
    if table.kind != "levels":
        return ""
    mine = [r for r in table.rows(levels)
            if r.id in rows and table.accepts(r, column, unit.level)]
    return ", ".join(f"{cell_ref(rows[r.id], j)} ({r.label})" for r in mine)


@dataclass(frozen=True, slots=True)
class Step:
    """One thing reading a table does, in order: say a column or row is missing
    (``missing``: the finding's code, ``label``: what is missing), or read the cell at
    (i, j) of ``element`` (table, row, column) as ``kind``; a cell that is not ``counted``
    is only looked at for a figure typed where the unit's own goes (``own``)."""

    missing: str = ""
    label: str = ""
    i: int = 0
    j: int = 0
    ref: str = ""
    element: tuple[str, str, str] = ("", "", "")
    kind: str = ""
    counted: bool = True
    own: str = ""


def table_plan(campaign: Campaign, table: Table, unit: Unit, sheet: str, grid: Grid,
               stated: bool = False) -> list[Step]:
    """The steps of reading ``table`` from a sheet with this grid's keys, for the unit's
    level: worked out once per layout and level (:attr:`Campaign.memo`)."""
    rows, cols = key_index(grid)
    key = ("read", table.id, unit.level, stated, sheet, tuple(rows.items()),
           tuple(cols.items()))
    plan = campaign.memo.get(key)
    if plan is None:
        plan = campaign.memo[key] = _plan(campaign, table, unit, (rows, cols), stated)
    return plan


def _plan(campaign: Campaign, table: Table, unit: Unit,
          keys: tuple[dict[str, int], dict[str, int]], stated: bool) -> list[Step]:
    rows, cols = keys
    missing = [c for c in table.columns if c.id not in cols]
    steps = [Step("column-missing", c.label) for c in missing]
    for row in table.rows(campaign.levels):
        if row.is_total or (table.kind == "list" and row.id not in rows):
            continue
        if row.id not in rows:
            steps.append(Step("row-missing", row.label))
            continue
        for column in table.columns:
            if column in missing:
                continue
            i, j = rows[row.id], cols[column.id]
            kind = table.kind_of(row, column)
            counted = stated or table.accepts(row, column, unit.level)
            if stated and kind not in NUMERIC_KINDS and column.id != RESULT:
                continue  # a stated result is compared with the rate recomputed
            own = "" if counted else own_cells(table, column, unit, campaign.levels, rows, j)
            steps.append(Step(label=element_label(table, row, column), i=i, j=j,
                              ref=cell_ref(i, j), element=(table.id, row.id, column.id),
                              kind=kind, counted=counted, own=own))
    return steps


# --------------------------------------------------------------------------- values


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


# --------------------------------------------------------------------------- the reader


class Reader:
    """Reads one workbook against one campaign's spec, collecting findings."""

    def __init__(self, campaign: Campaign, file_name: str):
        self.campaign = campaign
        self.spec: FormSpec = campaign.spec
        self.file = file_name

    def parse(self, grids: Mapping[str, Grid], meta: dict[str, str], unit: Unit) -> Parsed:
        parsed = Parsed(meta)
        if meta.get("kind") == "rollup":
            self._read_rollup(grids, unit, parsed)
            return parsed
        where: Where = {}
        for table in self.spec.tables:
            self._read_table(grids, table, unit, parsed, where)
        self._read_narrative(grids, parsed)
        values = {(c[0], c[1], c[2]): c[3] for c in parsed.cells if c[3] is not None}
        parsed.findings += run_checks(self.spec, values, unit.code, self.file, where)
        return parsed

    def _read_table(self, grids: Mapping[str, Grid], table: Table, unit: Unit, parsed: Parsed,
                    where: Where, stated: bool = False) -> None:
        """One table, found by its mark and keys; ``stated``: a roll-up's own figures."""
        found = find_sheet(grids, layout.TABLE_MARK + table.id, table.sheet)
        if found is None:
            parsed.findings.append(finding("sheet-missing", file=self.file, expected=table.sheet,
                                           unit=unit.code))
            return
        sheet, grid = found
        for step in table_plan(self.campaign, table, unit, sheet, grid, stated):
            if step.missing:
                parsed.findings.append(finding(step.missing, file=self.file, sheet=sheet,
                                               expected=step.label, unit=unit.code))
            elif not step.counted:
                self._greyed(value_at(grid, step.i, step.j), (sheet, step.ref), step.label,
                             step.own, unit, parsed)
            elif self._read_value(value_at(grid, step.i, step.j), step.kind,
                                  (*step.element, sheet, step.ref, step.label), unit, parsed):
                where[step.element] = (sheet, step.ref)

    def _read_value(self, raw: Any, kind: str, where: tuple[str, ...],
                    unit: Unit, parsed: Parsed) -> bool:
        """One value, strictly: stored when certain, a finding otherwise; True if stored."""
        tbl, row, col, sheet, ref, label = where
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return False
        parser = PARSERS.get(kind)
        try:
            value = parser(raw) if parser else raw
        except ParseError as exc:
            parsed.findings.append(finding("value-not-number", file=self.file, sheet=sheet,
                                           cell=ref, found=raw, expected=exc.expected,
                                           reason=exc.reason, label=label, unit=unit.code))
            return False
        if value is None:
            return False
        parsed.cells.append((tbl, row, col, *to_cell(kind, value), sheet, ref))
        return True

    def _greyed(self, raw: Any, at: tuple[str, str], label: str, own: str, unit: Unit,
                parsed: Parsed) -> None:
        """A value typed into a grey cell (not this unit's to fill): not counted, and said so,
        with where the unit's own figure goes."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return
        where = f"ô màu vàng {own}" if own else "ô màu vàng của đơn vị"
        parsed.findings.append(finding(
            "value-in-computed-cell", file=self.file, sheet=at[0], cell=at[1], found=raw,
            expected=f"để trống ô này; số liệu của đơn vị nhập vào {where}", label=label,
            unit=unit.code))

    def _read_narrative(self, grids: Mapping[str, Grid], parsed: Parsed) -> None:
        found = find_sheet(grids, layout.NARRATIVE_MARK, layout.NARRATIVE_SHEET)
        if found is None or not self.spec.narrative:
            return
        sheet, grid = found
        rows, _ = key_index(grid)
        for item in self.spec.narrative:
            if item.id in rows:
                value = value_at(grid, rows[item.id], 2)
                if value not in (None, ""):
                    parsed.cells.append(("narrative", item.id, "text", None, str(value).strip(),
                                         sheet, cell_ref(rows[item.id], 2)))

    def _read_rollup(self, grids: Mapping[str, Grid], unit: Unit, parsed: Parsed) -> None:
        """A consolidated workbook: the unit's own and its descendants' cells from the data
        sheet (relay), and the figures it states in its tables, to reconcile with detail."""
        data = grids.get(relay.DATA_SHEET)
        if not data:
            parsed.findings.append(finding("sheet-missing", file=self.file, unit=unit.code,
                                           expected=relay.DATA_SHEET))
            return
        members = {u.code for u in self.campaign.roster.subtree(unit.code).units()}
        relayed = relay.read_data_sheet(data, unit, members, self.file)
        parsed.cells += relayed.own
        parsed.relays.update(relayed.others)
        parsed.findings += relayed.findings
        stated = Parsed(parsed.meta)
        for table in self.spec.tables:
            if table.kind != "list":
                self._read_table(grids, table, unit, stated, {}, stated=True)
        parsed.findings += stated.findings
        parsed.stated = stated.cells
        relayed_cells = [*relayed.own, *(c for cells in relayed.others.values() for c in cells)]
        parsed.findings += stated_results(self.spec, stated.cells, relayed_cells, unit.code,
                                          self.file)
