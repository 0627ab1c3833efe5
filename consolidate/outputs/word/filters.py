"""The ``vn_*`` Jinja filters and the environment templates are rendered in.

Numbers go through :mod:`consolidate.core.numbers` so a template writes ``9.367``,
``121.450.000 đồng`` or ``02 vụ`` exactly as the seeds do. Roll-ups hand over numpy
scalars and NaN for "no figure"; every filter first turns them into plain Python.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from jinja2 import Environment, StrictUndefined

from consolidate.core.numbers import (
    format_count,
    format_date_long,
    format_date_short,
    format_money,
    format_number,
    format_percent,
    money_in_words,
)


def plain(value: Any) -> Any:
    """None for "no figure" (None, NaN); numpy scalars as Python; whole floats as int."""
    if hasattr(value, "item"):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def vn_number(value: Any, decimals: int = 0) -> str:
    """``9367`` → ``9.367``; ``19.66, 2`` → ``19,66``; nothing → ``-``."""
    return format_number(plain(value), decimals)


def vn_money(value: Any) -> str:
    """``121450000`` → ``121.450.000 đồng``."""
    value = plain(value)
    return format_money(None if value is None else round(value))


def vn_count(value: Any, unit_word: str | None = None, width: int = 2) -> str:
    """Small counts with the seeds' leading zero: ``2, 'vụ'`` → ``02 vụ``; ``9367`` → ``9.367``."""
    value = plain(value)
    text = format_count(None if value is None else round(value), width)
    return f"{text} {unit_word}" if unit_word else text


def vn_percent(value: Any, decimals: int = 2) -> str:
    """A rate already in percent: ``19.66`` → ``19,66%``."""
    return format_percent(plain(value), decimals)


def vn_money_words(value: Any) -> str:
    """``2500000`` → ``hai triệu năm trăm nghìn đồng``."""
    value = plain(value)
    return "" if value is None else money_in_words(round(value))


def vn_date(value: Any, style: str = "long") -> str:
    """``ngày 03 tháng 7 năm 2024`` (``style='short'``: ``03/7/2024``)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date_short(value) if style == "short" else format_date_long(value)


def vn_sum(values: Iterable[Any]) -> int | float:
    """The sum of the figures that exist (a sentence reads "0 đồng" when there are none)."""
    total = sum(v for v in (plain(x) for x in values) if isinstance(v, (int, float)))
    return plain(total) if total else 0


def vn_paren(text: Any) -> str:
    """`` (text)`` when there is text, else nothing: for optional comparisons."""
    return f" ({text})" if text else ""


FILTERS = {
    "vn_number": vn_number, "vn_money": vn_money, "vn_count": vn_count,
    "vn_percent": vn_percent, "vn_money_words": vn_money_words, "vn_date": vn_date,
    "vn_sum": vn_sum, "vn_paren": vn_paren,
}


def jinja_env() -> Environment:
    """Autoescaped (text from submissions is text, never XML), strict about missing names."""
    env = Environment(autoescape=True, undefined=StrictUndefined)
    env.filters.update(FILTERS)
    return env
