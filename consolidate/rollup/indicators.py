"""Indicators: rates recomputed from their parts, targets and how a result meets them.

A rate is never averaged: at every level it is the summed numerator over the
summed denominator times its scale (100 for %, 1000 for ‰). A target is what a
unit plans ("< 12", "≤ 15", "> 95", "0"); the result beats it, meets it or falls
short, depending on which way the indicator is better (lower for mortality,
higher for vaccination).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from consolidate.core.numbers import ParseError, format_number, parse_decimal

EXCEEDED = "Vượt"
MET = "Đạt"
MISSED = "Không đạt"

_OPS = {"<": "<", ">": ">", "<=": "≤", "≤": "≤", ">=": "≥", "≥": "≥", "=": "=", "": "="}
_TARGET = re.compile(r"^\s*(<=|>=|≤|≥|<|>|=)?\s*(.+?)\s*$")
EXPECTED_TARGET = "một chỉ tiêu kế hoạch dạng số, có thể kèm dấu so sánh, ví dụ < 12, ≤ 15, > 95, 0"


@dataclass(frozen=True)
class Target:
    op: str  # one of < ≤ > ≥ =
    value: float

    def __str__(self) -> str:
        number = format_number(self.value, 0)
        if not self.value.is_integer():
            number = format_number(self.value, 2).rstrip("0").rstrip(",")
        return number if self.op == "=" else f"{self.op} {number}"


def parse_target(raw: object) -> Target | None:
    """'< 12', '≤15', '>95', '0', '0,7', 12 -> a Target; empty -> None; else ParseError."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return Target("=", float(raw))
    match = _TARGET.match(str(raw).replace("%", "").replace("‰", ""))
    if not match:
        raise ParseError(raw, EXPECTED_TARGET)
    try:
        value = parse_decimal(match.group(2))
    except ParseError:
        raise ParseError(raw, EXPECTED_TARGET) from None
    if value is None:
        raise ParseError(raw, EXPECTED_TARGET)
    return Target(_OPS[match.group(1) or ""], value)


def rate(numerator: float | None, denominator: float | None, scale: int) -> float | None:
    """The rate from its parts; None when there is no denominator to divide by."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator * scale


def evaluate(result: float | None, target: Target | None, better: str) -> str | None:
    """Vượt / Đạt / Không đạt, by the indicator's direction; None if either is missing."""
    if result is None or target is None:
        return None
    result = round(result, 2)
    beats = result < target.value if better == "lower" else result > target.value
    if result == target.value:
        return MISSED if target.op in ("<", ">") else MET
    if beats:
        return EXCEEDED
    return MISSED
