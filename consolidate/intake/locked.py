"""Checks on the cells a unit does not type in: total rows, labels, the space around tables.

A clerk can unprotect a sheet and type anywhere. The reader takes figures from the
input cells only, so whatever is typed elsewhere would be dropped without a word:
here every such value is compared with what the blank form has there and reported.

* A total row holds the form's formula (Excel keeps the sum it computed). A figure
  typed over it that equals the sum of the rows above is no finding; one that differs
  is a warning (the rows are counted, not the total); one typed while the rows above
  are all blank is an error, since that figure would otherwise be lost and the unit
  seem to report nothing.
* Any other value outside the keyed cells (a label changed, a note typed beside the
  table) that the blank form does not have is a warning naming the cell, what was
  found and what the blank form has there.

Grey cells inside a table are the reader's (``value-in-computed-cell``). A
consolidated workbook (``kind=rollup``) states its own totals and is not checked here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from consolidate.core.errors import Finding, finding
from consolidate.core.numbers import ParseError, format_typed, parse_whole
from consolidate.core.roster import Unit
from consolidate.core.spec import NUMERIC_KINDS, TOTAL_ROW_ID, Table
from consolidate.core.workspace import Campaign
from consolidate.forms import generate, layout, style
from consolidate.intake.read import (
    Grid,
    Parsed,
    cell_ref,
    element_label,
    find_sheet,
    own_cells,
    table_sheets,
    value_at,
)

#: A place in a sheet that survives inserted rows and columns: (row key, column key),
#: each the form's key where it has one, else ("#", 1-based index).
Place = tuple[Any, Any]


@dataclass
class BlankSheet:
    """What the blank form has on one sheet: every text, the text at each place, and the
    places whose text is not compared (``loose``): the title lines and the note under the
    table, which carry the deadline and the period and change with the campaign's settings
    and the software's wording, so a form issued before such a change still reads clean."""

    texts: set[str] = field(default_factory=set)
    at: dict[Place, str] = field(default_factory=dict)
    loose: set[Place] = field(default_factory=set)


_BLANKS: dict[tuple[str, ...], dict[str, BlankSheet]] = {}
_BUILT: dict[tuple[str, ...], dict[str, BlankSheet]] = {}


def locked_findings(campaign: Campaign, grids: Mapping[str, Grid], unit: Unit, parsed: Parsed,
                    formulas: dict[str, dict[str, str]], file: str) -> list[Finding]:
    """Everything typed outside the unit's input cells, compared with the blank form."""
    if parsed.meta.get("kind") == "rollup":
        return []
    blank = blank_sheets(campaign, unit)
    out: list[Finding] = []
    for table, sheet, grid, rows, cols in table_sheets(campaign.spec, grids):
        at = _At(file, unit.code, sheet)
        out += _totals(campaign, table, unit, grid, (rows, cols), parsed,
                       formulas.get(sheet, {}), at)
        out += _stray(grid, blank.get(table.sheet), _keyed(campaign, table), at)
    found = find_sheet(grids, layout.NARRATIVE_MARK, layout.NARRATIVE_SHEET)
    if found is not None and layout.NARRATIVE_SHEET in blank:
        sheet, grid = found
        keyed = {item.id for item in campaign.spec.narrative}, {("#", 3)}
        out += _stray(grid, blank[layout.NARRATIVE_SHEET], keyed, _At(file, unit.code, sheet))
    return out


def _keyed(campaign: Campaign, table: Table) -> tuple[set[str], set[Any]]:
    """The row and column keys of a table's cells (inputs, grey and total cells)."""
    key = ("keyed", table.id)
    if key not in campaign.memo:
        campaign.memo[key] = ({r.id for r in table.rows(campaign.levels)},
                              {c.id for c in table.columns})
    return campaign.memo[key]


@dataclass
class _At:
    file: str
    unit: str
    sheet: str

    def finding(self, code: str, cell: str, **fields: Any) -> Finding:
        return finding(code, file=self.file, sheet=self.sheet, cell=cell, unit=self.unit,
                       **fields)


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


# --------------------------------------------------------------------------- totals


def _totals(campaign: Campaign, table: Table, unit: Unit, grid: Grid,
            keys: tuple[dict[str, int], dict[str, int]], parsed: Parsed,
            formulas: dict[str, str], at: _At) -> Iterator[Finding]:
    """A figure typed into a total row, against the sum of the rows the unit fills."""
    rows, cols = keys
    if TOTAL_ROW_ID not in rows:
        return
    *parts_rows, total = table.rows(campaign.levels)
    above = [rows[r.id] for r in parts_rows if r.id in rows]
    i = rows[TOTAL_ROW_ID]
    for column in table.columns:
        j = cols.get(column.id)
        if j is None or _blank(value_at(grid, i, j)) or cell_ref(i, j) in formulas:
            continue  # empty, or the form's formula with the sum Excel computed
        raw, ref = value_at(grid, i, j), cell_ref(i, j)
        label = element_label(table, total, column)
        if column.kind not in NUMERIC_KINDS:  # no formula there: nothing belongs in it
            yield at.finding("value-in-computed-cell", ref, found=raw, label=label,
                             expected="để trống ô này")
            continue
        if raw == _formula_result([value_at(grid, k, j) for k in above]):
            continue  # what the form's formula gives (a .xls or .ods hides formulas)
        own = own_cells(table, column, unit, campaign.levels, rows, j)
        parts = [c[3] for c in parsed.cells
                 if c[0] == table.id and c[2] == column.id and c[3] is not None]
        if not parts:
            yield at.finding("total-without-parts", ref, found=raw, label=label,
                             expected=f"ô {own}" if own else "các dòng trên")
        elif _typed_whole(raw) != sum(parts):
            yield at.finding("total-mismatch", ref, found=raw, label=label,
                             expected=format_typed(sum(parts)))


def _formula_result(values: list[Any]) -> Any:
    """What the form's total formula, IF(COUNT(…)=0;"";SUM(…)), leaves in the cell: the sum
    of the numbers above (text such as "700 trẻ" is not summed), else nothing, which a
    .xls stores as 0. A value equal to it was computed, not typed."""
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    return sum(numbers) if numbers else 0


def _typed_whole(raw: Any) -> int | None:
    try:
        return parse_whole(raw)
    except ParseError:
        return None


# --------------------------------------------------------------------------- elsewhere


def _stray(grid: Grid, blank: BlankSheet | None, keyed: tuple[set[str], set[Any]],
           at: _At) -> Iterator[Finding]:
    """Values outside the keyed cells that the blank form does not have anywhere on the sheet.

    Compared as text, wherever they sit, so inserted rows and columns move nothing into a
    finding; the blank form's own text at the same place is named as what was expected.
    """
    if blank is None:
        return
    row_keys, col_keys = keyed
    row_places, col_places = _places(grid)
    keyed_cols = {j for j, place in enumerate(col_places) if place in col_keys}
    for i, row in enumerate(grid):
        if i + 1 == layout.KEY_ROW:
            continue  # the hidden keys are the form's, checked by the reader
        row_place = row_places[i]
        skip = keyed_cols if row_place in row_keys else ()
        for j in range(1, len(row)):  # column A holds the form's hidden keys
            raw = row[j]
            if raw is None or raw == "" or j in skip:
                continue  # empty, or an input, grey or total cell: the reader's and _totals'
            text = raw.strip() if isinstance(raw, str) else _text(raw)
            if not text and isinstance(raw, str):
                continue  # spaces only: blank
            place = (row_place, col_places[j] if j < len(col_places) else ("#", j + 1))
            if place in blank.loose or text in blank.texts:
                continue
            there = blank.at.get(place)
            expected = f"\"{there}\"" if there else "ô trống"
            yield at.finding("text-outside-input", cell_ref(i, j), found=raw,
                             expected=expected)


def _places(grid: Grid) -> tuple[list[Any], list[Any]]:
    """Each grid row's and column's place: its key, else ("#", 1-based index)."""
    rows = [str(r[0]).strip() if r and not _blank(r[0]) else ("#", i + 1)
            for i, r in enumerate(grid)]
    key_row = next((r for r in grid if r and str(r[0]).strip() == layout.COLUMN_KEYS_MARK), [])
    width = max((len(r) for r in grid), default=0)
    cols = [str(key_row[j]).strip() if j and j < len(key_row) and not _blank(key_row[j])
            else ("#", j + 1) for j in range(width)]
    return rows, cols


def _text(value: Any) -> str:
    return format_typed(value).strip() if not isinstance(value, str) else value.strip()


# --------------------------------------------------------------------------- the blank form

def blank_sheets(campaign: Campaign, unit: Unit) -> dict[str, BlankSheet]:
    """The blank form of the unit's level, sheet by sheet, built once per level and process
    (the unit's name is only in the title lines, which are not compared); a new workspace
    with the same form, level, tree and texts of the period and deadline reuses it."""
    key = (str(campaign.workspace.path), campaign.id, str(campaign.spec.version), unit.level,
           *campaign.levels)
    if key not in _BLANKS:
        made_of = (repr(campaign.spec), campaign.period, campaign.period_label,
                   campaign.deadline_text(), unit.level, *campaign.levels)
        if made_of not in _BUILT:
            _BUILT[made_of] = _build_blank(campaign, unit.level)
        _BLANKS[key] = _BUILT[made_of]
    return _BLANKS[key]


def _build_blank(campaign: Campaign, level: str) -> dict[str, BlankSheet]:
    ident = layout.Identity(
        unit_code=generate.PLACEHOLDERS["code"], unit_name=generate.PLACEHOLDERS["name"],
        unit_level=level, unit_label=generate.PLACEHOLDERS["label"], period=campaign.period,
        period_label=campaign.period_label, deadline_text=campaign.deadline_text())
    wb = style.new_workbook()
    for table in campaign.spec.tables:
        layout.write_table(wb, table, campaign.levels, ident)
    layout.write_narrative(wb, campaign.spec, ident)
    out: dict[str, BlankSheet] = {}
    for ws in wb.worksheets:
        grid = [[c.value for c in row] for row in ws.iter_rows()]
        rows, cols = _places(grid)
        last_key = max((i for i, r in enumerate(rows) if isinstance(r, str)), default=0)
        sheet = BlankSheet()
        for i, row in enumerate(grid):
            for j, value in enumerate(row):
                if not _blank(value):
                    sheet.texts.add(_text(value))
                    sheet.at[(rows[i], cols[j])] = _text(value)
                    if i + 1 < layout.KEY_ROW or i > last_key:  # title lines, note below
                        sheet.loose.add((rows[i], cols[j]))
        out[ws.title] = sheet
    return out
