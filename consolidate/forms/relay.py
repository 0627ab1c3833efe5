"""The relay: how a consolidated workbook carries its subtree's figures to the level above.

A district's consolidated workbook is itself a submission for the province. Beside
the tables it states, it carries a hidden data sheet (``_data``) holding every cell of
every submission it counted, in long form, one row per cell (:data:`DATA_COLUMNS`),
and detail sheets marked :data:`DETAIL_MARK` whose subtotal rows are keyed
:data:`SUBTOTAL_MARK`. The writer (``outputs.workbook``) and the reader
(``intake.read``) both use this module, so the format is defined once and a workbook
written by one level is always read back the same way by the next.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.workbook import Workbook

from consolidate.core.errors import Finding, finding
from consolidate.core.roster import Unit
from consolidate.forms import style

DETAIL_MARK = "#detail"
SUBTOTAL_MARK = "#subtotal"
DATA_SHEET = "_data"  # in a consolidated workbook: every cell of the subtree, for the relay
DATA_COLUMNS = ("unit", "tbl", "row", "col", "num", "text", "sheet", "cell")

#: One stored cell, as the store keeps it: (tbl, row, col, num, text, sheet, cell).
Cell = tuple[Any, ...]


# --------------------------------------------------------------------------- writing


def write_data_sheet(wb: Workbook, rows: Iterable[Sequence[Any]]) -> None:
    """The hidden data sheet: one row per cell, each a record in :data:`DATA_COLUMNS` order.

    Text stays text (a narrative starting with '=' is never a formula); a missing
    number (None or NaN) is an empty cell.
    """
    ws = wb.create_sheet(DATA_SHEET)
    ws.append(list(DATA_COLUMNS))
    # the row is counted here: ``ws.max_row`` scans every cell, quadratic over a province
    for at, (unit, tbl, row, col, num, text, sheet, cell) in enumerate(rows, start=2):
        ws.append([unit, tbl, row, col, _number(num), None, sheet, cell])
        if text is not None:
            style.put_text(ws.cell(row=at, column=6), text)
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True


def _number(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and value != value) else value


# --------------------------------------------------------------------------- reading


@dataclass
class Relayed:
    """What a data sheet carries: the sender's own cells, its descendants', and problems."""

    own: list[Cell] = field(default_factory=list)
    others: dict[str, list[Cell]] = field(default_factory=dict)  # unit code -> cells
    findings: list[Finding] = field(default_factory=list)


def read_data_sheet(grid: list[list[Any]], unit: Unit, members: set[str],
                    file: str) -> Relayed:
    """The data sheet of ``unit``'s consolidated workbook, split per unit.

    ``grid`` is the sheet as calamine reads it, anchored at A1; ``members`` are the
    codes of ``unit`` and every unit below it: a row for any other unit is refused, a
    district cannot send figures for a commune outside its territory.
    """
    out = Relayed()
    for i, rec in enumerate(grid[1:], start=1):
        code = cell_text(rec[0]) if rec else ""
        if not code:
            continue
        if code not in members:
            out.findings.append(finding("unit-unknown", file=file, sheet=DATA_SHEET,
                                        cell=f"A{i + 1}", found=code,
                                        expected=f"{unit.name} và đơn vị trực thuộc"))
            continue
        target = out.own if code == unit.code else out.others.setdefault(code, [])
        target.append(_cell(rec))
    return out


def _cell(rec: Sequence[Any]) -> Cell:
    """One data row as a stored cell; columns a shortened row lacks read as empty."""
    num = rec[4] if len(rec) > 4 and rec[4] not in ("", None) else None
    text = cell_text(rec[5]) if len(rec) > 5 and rec[5] not in ("", None) else None
    return (cell_text(rec[1]), cell_text(rec[2]), cell_text(rec[3]), num, text,
            cell_text(rec[6]) if len(rec) > 6 else "", cell_text(rec[7]) if len(rec) > 7 else "")


def cell_text(value: Any) -> str:
    """A grid value as text; a code that a spreadsheet stored as a number (1840.0) is '1840'.

    Used for every value written by the program itself and read back as text: the
    data sheet here, the form's ``_meta`` sheet in ``intake.read``.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()
