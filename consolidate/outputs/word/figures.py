"""How one figure, or one answer typed by a unit, reads in a sentence or a table cell.

A sentence never shows a zero nobody typed: a count or an amount that no unit reported
reads :data:`NO_FIGURE`. A table cell shows ``-`` instead, as the published tables do.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from consolidate.core.spec import Table
from consolidate.outputs.word.filters import plain, vn_count, vn_money, vn_number

NO_FIGURE = "(chưa có số liệu)"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: Any) -> str:
    """Text from a submission, safe for Word: no control characters, no leading bullet."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    text = _CONTROL.sub("", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.strip() for line in text.split("\n")]
    text = "\n".join(line for line in lines if line)
    return re.sub(r"^[-+•*–]\s*", "", text).strip()


def figure_kind(table: Table, row_id: str, column_id: str) -> str:
    """The kind of one cell ("count", "money", …): a row's own kind wins over its column's."""
    column = next((c for c in table.columns if c.id == column_id), None)
    row = next((r for r in table.explicit_rows if r.id == row_id), None)
    return (getattr(row, "kind", None) if row is not None else None) or (
        column.kind if column is not None else "")


def sentence_figure(value: Any, kind: str) -> str:
    """A figure as it reads in a sentence: counts ``01``/``242``, money ``… đồng``."""
    value = plain(value)
    if value is None and kind in ("money", "count"):
        return NO_FIGURE  # nobody reported it: say so, never write a zero nobody typed
    if kind == "money":
        return vn_money(value)
    if kind == "count":
        return "0" if not value else vn_count(value)
    return _plain_figure(value, str)


def table_figure(value: Any) -> str:
    """A figure in a table cell: ``9.367``, ``19,66``, ``-`` for none, text as typed."""
    return _plain_figure(plain(value), lambda text: clean_text(text) or "-")


def _plain_figure(value: Any, text: Callable[[Any], str]) -> str:
    """'-' for none, Vietnamese digits for numbers (two decimals for a rate), else text."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return vn_number(value, 2)
    if isinstance(value, int):
        return vn_number(value)
    return text(value)


def change_phrase(current: Any, before: Any, kind: str, period: str) -> str:
    """``tăng 13 so với cùng kỳ năm 2023`` (``period`` is the label, 'năm 2023'); nothing
    when either figure is missing or text."""
    current, before = plain(current), plain(before)
    if not isinstance(current, (int, float)) or not isinstance(before, (int, float)):
        return ""
    diff = current - before
    if diff == 0:
        return f"bằng cùng kỳ {period}"
    amount = vn_money(abs(diff)) if kind == "money" else vn_number(
        abs(diff), 0 if float(diff).is_integer() else 2)
    return f"{'tăng' if diff > 0 else 'giảm'} {amount} so với cùng kỳ {period}"
