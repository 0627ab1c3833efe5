"""Reporting periods: what a campaign's period string means and how it is written.

The state's reporting regime (Nghị định 09/2019/NĐ-CP) has four periodic reports: a year,
six months, a quarter and a month. A period is typed by people in many ways ("6 tháng đầu
năm 2025", "quý I/2025", "Q1-2025", "3/2025"); :func:`parse_period` reads all of them into
one canonical id that is safe in file and folder names (campaign ids are
``{form}-{period}-{unit}``):

=========  ==========  =========================
kind       id          label
=========  ==========  =========================
year       ``2025``    năm 2025
half-year  ``2025-6T`` 6 tháng đầu năm 2025
quarter    ``2025-Q1`` quý I năm 2025
month      ``2025-T03`` tháng 3 năm 2025
=========  ==========  =========================

Every text a person reads (forms, workbooks, Word reports, feedback) names the period
through :func:`period_label`, so one place decides the wording.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from consolidate.core.errors import ConsolidateError
from consolidate.core.numbers import format_date_short

#: What a person may type, as the refusal lists it.
ACCEPTED = ("2025", "6 tháng đầu năm 2025", "quý I/2025 (hoặc quý 1 năm 2025, Q1-2025)",
            "tháng 3/2025 (hoặc 3/2025)")
ROMAN = ("I", "II", "III", "IV")
FIRST_YEAR, LAST_YEAR = 1990, 2100
#: The regime's cut-off day: figures run to the 14th of the period's last month.
CUTOFF_DAY = 14

_YEAR = r"(?:\s*nam\s*|\s*[/.-]\s*|\s+)(\d{4})"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern)) for kind, pattern in (
        ("year", r"^(?:nam\s*)?(\d{4})$"),
        ("half", r"^(?:6\s*thang(?:\s*dau)?|6t|h1)" + _YEAR + "$"),
        ("half", r"^(\d{4})[\s/.-]*(?:6t|h1)$"),
        ("quarter", r"^(?:quy|q)\s*([1-4]|iv|i{1,3})" + _YEAR + "$"),
        ("quarter", r"^(\d{4})[\s/.-]*q([1-4])$"),
        ("month", r"^(?:thang\s*|t)?(\d{1,2})" + _YEAR + "$"),
        ("month", r"^(\d{4})[\s/.-]*t(\d{1,2})$"),
        ("month", r"^(\d{4})-(\d{2})$"),
    ))


@dataclass(frozen=True)
class Period:
    """One reporting period: a year, its first six months, a quarter or a month."""

    year: int
    kind: str = "year"  # year | half | quarter | month
    number: int = 0  # the quarter (1-4) or the month (1-12); 0 otherwise

    @property
    def id(self) -> str:
        """The canonical, file-name-safe id stored with the campaign."""
        suffix = {"year": "", "half": "-6T", "quarter": f"-Q{self.number}",
                  "month": f"-T{self.number:02d}"}[self.kind]
        return f"{self.year}{suffix}"

    @property
    def label(self) -> str:
        if self.kind == "half":
            return f"6 tháng đầu năm {self.year}"
        if self.kind == "quarter":
            return f"quý {ROMAN[self.number - 1]} năm {self.year}"
        if self.kind == "month":
            return f"tháng {self.number} năm {self.year}"
        return f"năm {self.year}"

    @property
    def last_month(self) -> int:
        return {"year": 12, "half": 6, "quarter": self.number * 3, "month": self.number}[
            self.kind]

    @property
    def first_month(self) -> int:
        return {"year": 1, "half": 1, "quarter": self.number * 3 - 2,
                "month": self.number}[self.kind]

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        month = self.last_month
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def year_before(self) -> Period:
        """The same period a year earlier: what "so với cùng kỳ" compares with."""
        return Period(self.year - 1, self.kind, self.number)

    def default_cutoff(self) -> dt.date:
        """The regime's "thời gian chốt số liệu": the 14th of the period's last month.

        Nghị định 09/2019/NĐ-CP (Điều 12) counts a periodic report's figures from the 15th of
        the month before the period to the 14th of its last month, so that the level above
        can consolidate before the period ends; offices that close later set ``cutoff``.
        """
        return dt.date(self.year, self.last_month, CUTOFF_DAY)


def _fold(text: str) -> str:
    """Lower case, no diacritics ('Quý I/2025' -> 'quy i/2025'), spaces collapsed."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def _build(kind: str, groups: tuple[str, ...]) -> Period | None:
    if kind == "year":
        return Period(int(groups[0]))
    if kind == "half":
        return Period(int(groups[0]), "half")
    first, second = groups
    year, number = (first, second) if len(first) == 4 else (second, first)
    value = ROMAN.index(number.upper()) + 1 if number.upper() in ROMAN else int(number)
    limit = 4 if kind == "quarter" else 12
    return Period(int(year), kind, value) if 1 <= value <= limit else None


def read_period(text: object) -> Period | None:
    """The period a person typed, or None when it is none of the accepted forms."""
    folded = _fold(str(text))
    for kind, pattern in _PATTERNS:
        match = pattern.match(folded)
        if match:
            period = _build(kind, match.groups())
            if period is not None and FIRST_YEAR <= period.year <= LAST_YEAR:
                return period
            return None
    return None


def parse_period(text: object) -> Period:
    """Read a period, or refuse it (``period-invalid``) naming what was typed and what is
    accepted."""
    period = read_period(text)
    if period is None:
        raise ConsolidateError("period-invalid", found=str(text), expected="; ".join(ACCEPTED))
    return period


def check_in_period(period: Period, label: str, day: dt.date | None) -> None:
    """A deadline or cut-off before the period even starts is a typo (the wrong year)."""
    if day is not None and day < period.start:
        raise ConsolidateError("date-before-period", label=label, found=format_date_short(day),
                               expected=f"kỳ báo cáo {period.label} (bắt đầu từ ngày "
                                        f"{format_date_short(period.start)})")


def period_label(period: str) -> str:
    """'2024' -> 'năm 2024', '2025-6T' -> '6 tháng đầu năm 2025': the period as a sentence
    names it (a period stored before periods were checked keeps the old wording)."""
    parsed = read_period(period)
    return parsed.label if parsed is not None else f"năm {period}"


def period_text(period: str) -> str:
    """The label of a period id, or what was found as it was when it is not one (a form's
    metadata may hold anything)."""
    parsed = read_period(period)
    return parsed.label if parsed is not None else str(period)


