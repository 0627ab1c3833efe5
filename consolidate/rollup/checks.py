"""Cross-field checks declared in the spec, run on every submission and every roll-up.

Published reports carry slips like "boys + girls ≠ total" or a rate typed as 1,25
when its parts give 1,49: each rule names the unit, the cells and the numbers.
A rule whose elements are not all present (a district that does not enter child
counts itself) is skipped, never evaluated against a guessed zero.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from consolidate.core.errors import Finding, finding
from consolidate.core.numbers import format_number
from consolidate.core.spec import DENOMINATOR, NUMERATOR, RESULT, Check, FormSpec
from consolidate.rollup.indicators import rate

Key = tuple[str, str, str]
COMPARE = {"==": operator.eq, "<=": operator.le, ">=": operator.ge, "<": operator.lt,
           ">": operator.gt}
SYMBOL = {"==": "=", "<=": "≤", ">=": "≥", "<": "<", ">": ">"}
MAX_DECIMALS = 3  # a rate typed with more decimals is held to a thousandth


def run_checks(spec: FormSpec, values: Mapping[Key, float], unit: str, file: str = "",
               cells: Mapping[Key, tuple[str, str]] | None = None) -> list[Finding]:
    """Every declared rule, the rate-consistency rule, on one unit's values."""
    out = [f for c in spec.checks if (f := _check(spec, c, values, unit, file, cells))]
    return out + _typed_rates(spec, values, unit, file, cells or {})


def _check(spec: FormSpec, check: Check, values: Mapping[Key, float], unit: str, file: str,
           cells: Mapping[Key, tuple[str, str]] | None) -> Finding | None:
    left = [spec.resolve(r) for r in check.left]
    right = [spec.resolve(r) for r in check.right]
    if any(values.get(k) is None for k in left + right):
        return None
    a, b = sum(values[k] for k in left), sum(values[k] for k in right)
    if COMPARE[check.op](a, b):
        return None
    detail = (f"{_side(spec, left, values)} {SYMBOL[check.op]} {_side(spec, right, values)} "
              f"không đúng ({format_number(a)} so với {format_number(b)})")
    where = sorted({cells[k][1] for k in left + right if cells and k in cells})
    sheets = {cells[k][0] for k in left + right if cells and k in cells}
    return finding("check-failed", severity=check.severity, file=file, unit=unit,
                   sheet=", ".join(sorted(sheets)), cell=", ".join(where),
                   found=format_number(a), expected=f"{SYMBOL[check.op]} {format_number(b)}",
                   rule=check.id, rule_message=check.message, detail=detail)


def _side(spec: FormSpec, keys: list[Key], values: Mapping[Key, float]) -> str:
    return " + ".join(f"{spec.label_of(*k).lstrip('- ')} ({format_number(values[k])})"
                      for k in keys)


def _typed_rates(spec: FormSpec, values: Mapping[Key, float], unit: str, file: str,
                 cells: Mapping[Key, tuple[str, str]]) -> list[Finding]:
    """A rate the unit typed must agree with the rate its own parts give."""
    return typed_rates(spec, values, values, unit, file, cells)


def typed_rates(spec: FormSpec, typed: Mapping[Key, float], values: Mapping[Key, float],
                unit: str, file: str = "", cells: Mapping[Key, tuple[str, str]] | None = None,
                below: bool = False) -> list[Finding]:
    """Each result a unit typed ("Kết quả đơn vị tự tính", in ``typed``) that differs from
    the rate recomputed from the parts in ``values``: its own parts at ingest, or
    (``below``) the figures of the units below it at a roll-up. Both numbers are said."""
    out = []
    for table in spec.tables:
        for row in table.explicit_rows:
            ind = row.indicator
            if ind is None or ind.kind != "rate":
                continue
            key = (table.id, row.id, RESULT)
            num, den = indicator_parts(spec, table.id, row.id, values)
            computed, mine = rate(num, den, ind.scale), typed.get(key)
            if mine is None or computed is None or agrees(mine, computed):
                continue
            sheet, cell = (cells or {}).get(key, (table.sheet, ""))
            out.append(finding(
                "rollup-rate-inconsistent" if below else "rate-inconsistent",
                file=file, unit=unit, sheet=sheet, cell=cell, label=row.label,
                found=format_number(mine, 2), expected=format_number(computed, 2),
                parts=f"{format_number(num)}/{format_number(den)}", symbol=ind.symbol))
    return out


def stated_results(spec: FormSpec, stated: Iterable[Sequence[Any]],
                   relayed: Iterable[Sequence[Any]], unit: str, file: str) -> list[Finding]:
    """The results a consolidated workbook states (a district may type over them before
    sending it up) against the rates recomputed from the cells it relays: the figures of
    the unit and of every unit below it. Cells are (table, row, column, num, text, sheet,
    cell), as the intake reads them."""
    kinds = {t.id: t.kind for t in spec.tables}
    values: dict[Key, float] = {}
    for tbl, row, col, num, *_ in relayed:
        kind = kinds.get(tbl)
        if num is not None and (kind == "fields" or (
                kind == "indicators" and col in (NUMERATOR, DENOMINATOR))):
            values[(tbl, row, col)] = values.get((tbl, row, col), 0) + float(num)
    stated = list(stated)
    typed = {(c[0], c[1], c[2]): c[3] for c in stated if c[2] == RESULT and c[3] is not None}
    cells = {(c[0], c[1], c[2]): (c[5], c[6]) for c in stated}
    return typed_rates(spec, typed, values, unit, file, cells, below=True)


def agrees(typed: float, computed: float) -> bool:
    """A typed rate agrees when it is the recomputed one rounded to the decimals it was
    typed with (1,7 or 1,71 for 1,7081; at most 3 decimals are taken into account)."""
    exponent = Decimal(repr(float(typed))).normalize().as_tuple().exponent
    decimals = min(MAX_DECIMALS, max(0, -int(exponent)))
    return abs(typed - computed) <= 0.5 * 10 ** -decimals + 1e-9


def indicator_parts(spec: FormSpec, tbl: str, row_id: str,
                    values: Mapping[Key, float]) -> tuple[float | None, float | None]:
    """Numerator and denominator of a rate: its own cells, or the elements it refers to."""
    ind = spec.table(tbl).row(row_id).indicator
    assert ind is not None
    num = values.get(spec.resolve(ind.numerator_ref)) if ind.numerator_ref else \
        values.get((tbl, row_id, NUMERATOR))
    den = values.get(spec.resolve(ind.denominator_ref)) if ind.denominator_ref else \
        values.get((tbl, row_id, DENOMINATOR))
    return num, den


def changes(spec: FormSpec, values: Mapping[Key, float], previous: Mapping[Key, float],
            unit: str, file: str = "") -> list[Finding]:
    """Figures that moved more than the spec's factor from last year: a warning to look at."""
    factor = spec.change_factor
    if not factor:
        return []
    out = []
    for key, now in values.items():
        before = previous.get(key)
        if before is None or now is None or before <= 0 or now <= 0:
            continue
        if now > before * factor or now < before / factor:
            out.append(finding("value-changed", file=file, unit=unit,
                               label=spec.label_of(*key), found=format_number(now),
                               expected=format_number(before), factor=format_number(factor)))
    return out
