"""Cross-field checks declared in the spec, run on every submission and every roll-up.

Published reports carry slips like "boys + girls ≠ total" or a rate typed as 1,25
when its parts give 1,49: each rule names the unit, the cells and the numbers.
A rule whose elements are not all present (a district that does not enter child
counts itself) is skipped, never evaluated against a guessed zero.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping

from consolidate.core.errors import Finding, finding
from consolidate.core.numbers import format_number
from consolidate.core.spec import DENOMINATOR, NUMERATOR, RESULT, Check, FormSpec
from consolidate.rollup.indicators import rate

Key = tuple[str, str, str]
COMPARE = {"==": operator.eq, "<=": operator.le, ">=": operator.ge, "<": operator.lt,
           ">": operator.gt}
SYMBOL = {"==": "=", "<=": "≤", ">=": "≥", "<": "<", ">": ">"}
RATE_TOLERANCE = 0.051  # a typed rate rounded to one decimal still agrees


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
    out = []
    for table in spec.tables:
        for row in table.explicit_rows:
            ind = row.indicator
            if ind is None or ind.kind != "rate":
                continue
            typed = values.get((table.id, row.id, RESULT))
            computed = rate(*indicator_parts(spec, table.id, row.id, values), ind.scale)
            if typed is None or computed is None or abs(typed - computed) <= RATE_TOLERANCE:
                continue
            sheet, cell = cells.get((table.id, row.id, RESULT), ("", ""))
            num, den = indicator_parts(spec, table.id, row.id, values)
            out.append(finding(
                "rate-inconsistent", file=file, unit=unit, sheet=sheet, cell=cell,
                found=format_number(typed, 2), expected=format_number(computed, 2),
                label=row.label, parts=f"{format_number(num)}/{format_number(den)}",
                scale=format_number(ind.scale)))
    return out


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
