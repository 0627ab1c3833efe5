"""Checks on the cells where a unit types its figures, once the workbook is parsed.

calamine gives values only. What the container scan found in an xlsx's XML
(formulas, error values, which cells still carry the form's style;
:mod:`consolidate.intake.container`) and the merged ranges calamine reports are
judged here against the form: only the unit's input cells matter, and each is
found by the form's keys, so a problem is named by its file, sheet, cell and label.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from consolidate.core.errors import Finding, finding
from consolidate.core.roster import Unit
from consolidate.core.spec import Table
from consolidate.core.workspace import Campaign
from consolidate.forms import layout
from consolidate.intake.container import Container
from consolidate.intake.read import (
    Grid,
    cell_ref,
    element_label,
    find_sheet,
    key_index,
    table_sheets,
    value_at,
)

Position = tuple[int, int]  # 0-based (row, column) in a calamine grid
#: sheet -> {position of an input cell: its label}
Inputs = dict[str, dict[Position, str]]


def input_cells(campaign: Campaign, grids: Mapping[str, Grid], unit: Unit) -> Inputs:
    """Where this unit types, found by the form's keys: its table cells and narratives
    (worked out once per layout and level: every form of a level has the same)."""
    out: Inputs = {}
    for table, sheet, _grid, rows, cols in table_sheets(campaign.spec, grids):
        key = ("inputs", table.id, unit.level, tuple(rows.items()), tuple(cols.items()))
        if key not in campaign.memo:
            campaign.memo[key] = _table_inputs(campaign, table, unit.level, rows, cols)
        out.setdefault(sheet, {}).update(campaign.memo[key])
    found = find_sheet(grids, layout.NARRATIVE_MARK, layout.NARRATIVE_SHEET)
    if found is not None:
        sheet, grid = found
        rows, _ = key_index(grid)
        labels = {item.id: item.label for item in campaign.spec.narrative}
        cells = out.setdefault(sheet, {})
        for key, i in rows.items():
            if key in labels:
                cells[(i, 2)] = f"{sheet}, {labels[key]}"
    return out


def _table_inputs(campaign: Campaign, table: Table, level: str, rows: dict[str, int],
                  cols: dict[str, int]) -> dict[Position, str]:
    cells = {}
    for row in table.rows(campaign.levels):
        if row.is_total or row.id not in rows:
            continue
        for column in table.columns:
            if column.id in cols and table.accepts(row, column, level):
                cells[(rows[row.id], cols[column.id])] = element_label(table, row, column)
    return cells


def cell_findings(container: Container, merges: Mapping[str, Any], inputs: Inputs,
                  grids: Mapping[str, Grid], file: str, unit: str,
                  check_styles: bool = True) -> list[Finding]:
    """Formulas, error values, moved and merged cells where a unit types its figures.

    A moved cell: every input cell of a generated form carries the form's style; one
    that has none is where cells were deleted and the rest of the row shifted left
    (Excel's Delete > Shift cells left), so the figures beside it may sit under the
    wrong column: that row cannot be read with certainty. A consolidated workbook is
    not a generated form (``check_styles=False``).
    """
    out: list[Finding] = []
    for sheet, positions in inputs.items():
        at = _Sheet(file, unit, sheet, positions)
        out += at.formulas(container.formulas.get(sheet, {}), container.errors.get(sheet, {}),
                           grids.get(sheet) or [])
        out += at.error_values(container.errors.get(sheet, {}))
        if check_styles and sheet in container.styled:
            out += at.moved(container.styled[sheet])
        out += at.merged(merges.get(sheet) or [])
    return out


def _position(cell: str) -> Position | None:
    try:
        letters, row = coordinate_from_string(cell)
    except ValueError:
        return None
    return row - 1, column_index_from_string(letters) - 1


@dataclass
class _Sheet:
    """The input cells of one sheet, and the findings about them."""

    file: str
    unit: str
    sheet: str
    inputs: dict[Position, str]

    def _finding(self, code: str, cell: str, **fields: Any) -> Finding:
        return finding(code, file=self.file, sheet=self.sheet, cell=cell, **fields,
                       unit=self.unit)

    def _inputs_among(self, cells: dict[str, str]) -> Iterator[tuple[str, str, Position]]:
        """(cell, what the scan found there, position) for scanned cells that are inputs."""
        for cell, found in cells.items():
            p = _position(cell)
            if p in self.inputs:
                yield cell, found, p

    def formulas(self, formulas: dict[str, str], errors: dict[str, str],
                 grid: Grid) -> Iterator[Finding]:
        """A formula in an input: its cached value is taken with a warning, none is an error."""
        for cell, formula, p in self._inputs_among(formulas):
            if cell in errors:
                continue  # an error value is its own finding
            value = value_at(grid, *p)
            code = "formula-in-input" if value not in (None, "") else "formula-without-value"
            yield self._finding(code, cell, found=formula, label=self.inputs[p], value=value)

    def error_values(self, errors: dict[str, str]) -> Iterator[Finding]:
        for cell, error, p in self._inputs_among(errors):
            yield self._finding("cell-error-value", cell, found=error, label=self.inputs[p])

    def moved(self, styled: set[str]) -> Iterator[Finding]:
        """One finding per row whose input cells lost the form's style (the first of them)."""
        moved = sorted(p for p in self.inputs if cell_ref(*p) not in styled)
        for row in sorted({i for i, _ in moved}):
            i, j = next(p for p in moved if p[0] == row)
            yield self._finding("input-cell-moved", cell_ref(i, j), label=self.inputs[(i, j)])

    def merged(self, ranges: list[Any]) -> Iterator[Finding]:
        for (r0, c0), (r1, c1) in ranges:
            hit = [self.inputs[(i, j)] for i in range(r0, r1 + 1) for j in range(c0, c1 + 1)
                   if (i, j) in self.inputs]
            if hit:
                yield self._finding("merged-input-cells", f"{cell_ref(r0, c0)}:{cell_ref(r1, c1)}",
                                    label=hit[0])
