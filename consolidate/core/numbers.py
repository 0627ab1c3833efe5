"""Read numbers, yes/no answers and dates the way Vietnamese officers type them into
Excel cells, and format numbers, money and dates for Vietnamese administrative reports.

Reading is strict on purpose: a consolidated report adds up figures from many
communes, so a value that could be read two ways (``"9,367"``, ``"12.5"``) is
rejected with a :class:`ParseError` instead of being guessed or turned into 0.

Conventions (Vietnamese, and what the seed reports use):

* ``.`` groups thousands and ``,`` is the decimal mark: ``9.367`` is nine thousand,
  ``19,66`` is nineteen point six six.
* ``-`` or ``Không`` in a count cell means "none", i.e. 0.
* Dates follow Decree 30/2020/NĐ-CP: days below 10 and months 1 and 2 take a
  leading zero (``ngày 05 tháng 02 năm 2024``, ``ngày 03 tháng 7 năm 2024``).

Formatting goes through Babel (``vi_VN``) and num2words (``lang="vi"``); the few
places where they disagree with report conventions are patched and commented.
This module must stay free of CLI dependencies (no click).
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date as _babel_format_date
from babel.numbers import format_decimal as _babel_format_decimal
from num2words import num2words

__all__ = [
    "ParseError",
    "format_count",
    "format_date_long",
    "format_date_short",
    "format_money",
    "format_number",
    "format_percent",
    "format_typed",
    "money_in_words",
    "parse_date",
    "parse_decimal",
    "parse_whole",
    "parse_yes_no",
]

LOCALE = "vi_VN"
MISSING = "-"  # what the reports print for a figure nobody supplied

# Vietnamese descriptions used as ParseError.expected (shown to report senders).
EXPECTED_WHOLE = "một số nguyên không âm, ví dụ 700 hoặc 4.930.000"
EXPECTED_NOT_FRACTIONAL = "một số nguyên không âm (không có phần thập phân), ví dụ 700"
EXPECTED_NON_NEGATIVE = "một số không âm"
EXPECTED_DECIMAL = "một số, dấu phẩy là dấu thập phân, ví dụ 19,66 hoặc 19,66% hoặc 9.367"
EXPECTED_YES_NO = "“Có” hoặc “Không” (hoặc đánh dấu “x”)"
EXPECTED_DATE = "một ngày dạng ngày/tháng/năm, ví dụ 03/7/2024 hoặc 05/02/2024"

# Why a value was refused (ParseError.reason), after "giá trị "…"" in a finding.
REASON_UNCERTAIN = "không đọc được chắc chắn"
REASON_NEGATIVE = "là số âm"
REASON_FRACTIONAL = "có phần thập phân, không phải số nguyên"
REASON_TOO_LARGE = "quá lớn"


class ParseError(ValueError):
    """Raised when a cell value cannot be read with certainty.

    ``found`` keeps the raw cell value untouched so the error can quote exactly what
    the sender typed; ``expected`` is a Vietnamese phrase saying what would have been
    accepted and ``reason`` one saying what is wrong with it (a -1 was read: it is
    negative, not unreadable), so callers build a message without knowing the parser.
    """

    def __init__(self, found: object, expected: str, reason: str = REASON_UNCERTAIN) -> None:
        self.found = found
        self.expected = expected
        self.reason = reason
        super().__init__(f"Giá trị “{format_typed(found)}” {reason}: cần {expected}.")


# --------------------------------------------------------------------------- text

_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"  # zero-width characters pasted from the web
_ZERO_WORDS = frozenset({"-", "–", "—", "không", "không có"})

# Unit words allowed after a whole number. Compared case-insensitively (casefold).
_UNIT_WORDS = (
    "đ",
    "đồng",
    "vnđ",
    "vnd",
    "trẻ",
    "trẻ em",
    "em",
    "người",
    "học sinh",
    "cái",
    "vụ",
    "điểm",
    "suất",
    "công trình",
    "hoạt động",
    "lượt",
    "cuộc",
    "lớp",
    "buổi",
    "trường",
    "xã",
    "huyện",
)
_UNIT_PATTERN = "|".join(
    re.escape(unit).replace(r"\ ", " ") for unit in sorted(_UNIT_WORDS, key=len, reverse=True)
)

# Grouped numbers must start with 1-9: "0.500" is an English decimal, not 500.
_INTEGER_PATTERN = r"[1-9]\d{0,2}(?:\.\d{3})+|[1-9]\d{0,2}(?: \d{3})+|\d+"
_WHOLE_RE = re.compile(rf"(?P<num>{_INTEGER_PATTERN})(?: ?(?P<unit>{_UNIT_PATTERN}))?")
_DECIMAL_RE = re.compile(
    rf"(?P<sign>-?)(?P<int>{_INTEGER_PATTERN})(?:,(?P<frac>\d+))?(?: ?(?P<mark>[%‰]))?"
)
_NEGATIVE_RE = re.compile(r"[-−–]\s*\d")


def _clean_text(text: str) -> str:
    """Normalise typed text so that visually identical inputs compare equal.

    NFC because Vietnamese keyboards/fonts may produce decomposed diacritics;
    all Unicode spaces (Excel often uses non-breaking ones) become one plain space.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.translate({ord(ch): None for ch in _INVISIBLE})
    return " ".join(text.split())


def _is_empty(value: object) -> bool:
    """True for an empty cell: None, blank text, or NaN (how pandas shows empty cells)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not _clean_text(value)


def _is_zero_word(text: str) -> bool:
    """True for the ways the seeds write "none" in a figure cell."""
    return text.casefold() in _ZERO_WORDS


# ------------------------------------------------------------------------ parsing


def parse_whole(value: object, *, max_value: int = 10**12) -> int | None:
    """Read a count or an amount of money (đồng): whole and >= 0.

    Returns None for an empty cell so callers can tell "not reported" from 0.
    Anything that could be read in more than one way raises ParseError.
    """
    if _is_empty(value):
        return None
    number = _whole_from_cell(value)
    if number < 0:
        raise ParseError(value, EXPECTED_NON_NEGATIVE, REASON_NEGATIVE)
    if number > max_value:
        raise ParseError(value, f"một số không vượt quá {format_number(max_value)} (số quá lớn)",
                         REASON_TOO_LARGE)
    return number


def _whole_from_cell(value: object) -> int:
    """Turn a non-empty cell into an int, sign included; range checks are the caller's."""
    if isinstance(value, bool):  # bool is an int subclass; True is not a count
        raise ParseError(value, EXPECTED_WHOLE)
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        return _whole_from_number(value)
    if isinstance(value, str):
        return _whole_from_text(value)
    raise ParseError(value, EXPECTED_WHOLE)


def _whole_from_number(value: float | Decimal) -> int:
    """Excel stores every number as a float, so 700.0 is a legitimate count."""
    if not math.isfinite(value):
        raise ParseError(value, EXPECTED_WHOLE)
    if value != int(value):
        raise ParseError(value, EXPECTED_NOT_FRACTIONAL, REASON_FRACTIONAL)
    return int(value)


def _whole_from_text(value: str) -> int:
    """Read typed text such as "4.930.000đ", "700 trẻ", "02", "-" or "Không"."""
    text = _clean_text(value)
    if _is_zero_word(text):
        return 0
    match = _WHOLE_RE.fullmatch(text.casefold())
    if match:
        return int(re.sub(r"[. ]", "", match["num"]))
    if _NEGATIVE_RE.match(text):
        raise ParseError(value, EXPECTED_NON_NEGATIVE, _negative_reason(text))
    if "," in text:  # the comma is the decimal mark, so "9,367" is 9.367, not a count
        raise ParseError(value, EXPECTED_NOT_FRACTIONAL, _fraction_reason(text))
    raise ParseError(value, EXPECTED_WHOLE)


def _negative_reason(text: str) -> str:
    """"-1" was read, and is negative; "-1 hay 2" was not read at all."""
    rest = text.lstrip("-−– ")
    readable = _WHOLE_RE.fullmatch(rest.casefold()) or _DECIMAL_RE.fullmatch(rest)
    return REASON_NEGATIVE if readable else REASON_UNCERTAIN


def _fraction_reason(text: str) -> str:
    """"2,5" is two and a half (not whole); "9,367" may be an English 9367: uncertain."""
    match = _DECIMAL_RE.fullmatch(text)
    if match and match["frac"] and len(match["frac"]) != 3:
        return REASON_FRACTIONAL
    return REASON_UNCERTAIN


def parse_decimal(value: object) -> float | None:
    """Read a decimal or a rate: "19,66%", "19,66", "0,9", "1,25‰", 11.8.

    Returns the number as written (19.66 for "19,66%"), without the % or ‰ sign,
    because the seeds type rates already multiplied by 100. None for an empty cell.
    """
    if _is_empty(value):
        return None
    if isinstance(value, bool):
        raise ParseError(value, EXPECTED_DECIMAL)
    if isinstance(value, int | float | Decimal):
        if not math.isfinite(value):
            raise ParseError(value, EXPECTED_DECIMAL)
        return float(value)
    if isinstance(value, str):
        return _decimal_from_text(value)
    raise ParseError(value, EXPECTED_DECIMAL)


def _decimal_from_text(value: str) -> float:
    """Read Vietnamese decimal text; a dot is only ever a thousands separator."""
    text = _clean_text(value)
    if _is_zero_word(text):
        return 0.0
    match = _DECIMAL_RE.fullmatch(text)
    if not match:  # e.g. "12.5": English decimal or a typo for 12.500? Do not guess.
        raise ParseError(value, EXPECTED_DECIMAL)
    digits = re.sub(r"[. ]", "", match["int"])
    number = float(f"{match['sign']}{digits}.{match['frac'] or '0'}")
    return number + 0.0  # turn "-0" into 0.0


def parse_yes_no(value: object) -> bool | None:
    """Read a yes/no cell: "Có"/"x"/True/1 is yes, "Không"/False/0 is no.

    None for an empty cell: an unticked box is "not answered", not "no".
    """
    if _is_empty(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = _clean_text(value).casefold()
        if text in {"có", "x", "1"}:
            return True
        if text in {"không", "không có", "0"}:
            return False
    raise ParseError(value, EXPECTED_YES_NO)


# Excel's 1900 date system counts from 1899-12-31 but pretends 1900 was a leap year,
# so serial 60 is the non-existent 29/02/1900 and serials from 61 on are off by one.
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_EXCEL_SERIAL_MIN, _EXCEL_SERIAL_MAX = 1, 80000
_DATE_DMY_RE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
_DATE_ISO_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_date(value: object) -> datetime.date | None:
    """Read a date cell: a date/datetime, "dd/mm/yyyy" or "d/m/yyyy" text, or an
    Excel serial number (what a date cell holds when read without its format).

    Day comes first, as always in Vietnam; two-digit years are rejected as ambiguous.
    """
    if _is_empty(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _date_from_serial(value)
    if isinstance(value, str):
        return _date_from_text(value)
    raise ParseError(value, EXPECTED_DATE)


def _date_from_serial(value: float) -> datetime.date:
    """Convert an Excel 1900-system serial; the time-of-day fraction is dropped."""
    if not (math.isfinite(value) and _EXCEL_SERIAL_MIN <= value < _EXCEL_SERIAL_MAX + 1):
        raise ParseError(value, EXPECTED_DATE)
    serial = int(value)
    if serial == 60:  # 29/02/1900 never existed
        raise ParseError(value, EXPECTED_DATE)
    offset = serial + 1 if serial < 60 else serial
    return _EXCEL_EPOCH + datetime.timedelta(days=offset)


def _date_from_text(value: str) -> datetime.date:
    """Read "03/7/2024" (also with "-" or "." separators) or ISO "2024-07-03"."""
    text = _clean_text(value)
    if match := _DATE_DMY_RE.fullmatch(text):
        day, month, year = int(match[1]), int(match[3]), int(match[4])
    elif match := _DATE_ISO_RE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise ParseError(value, EXPECTED_DATE)
    try:
        return datetime.date(year, month, day)
    except ValueError:  # 31/02/2024 and the like
        raise ParseError(value, EXPECTED_DATE) from None


# --------------------------------------------------------------------- formatting


def format_typed(value: object) -> str:
    """A cell's value as the clerk sees it in Excel, for messages that quote it.

    calamine reads every number as a float, so a typed -1 arrives as -1.0 and 2,5 as
    2.5: a whole number is shown without ".0", a fraction with the Vietnamese comma
    and every digit kept ("2,5", "4.930.000,25"); text stays as typed; a date is
    shown day first.
    """
    if isinstance(value, bool) or value is None:
        return "" if value is None else ("TRUE" if value else "FALSE")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, int | float | Decimal):
        exact = Decimal(repr(value) if isinstance(value, float) else value)
        places = max(0, -exact.normalize().as_tuple().exponent)  # type: ignore[operator]
        return format_number(exact, places)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)



def _round_half_up(value: float | int | Decimal, decimals: int) -> Decimal:
    """Round the way reports expect (2,5 -> 3).

    Babel would round half-to-even (2,5 -> 2; 0,125 -> 0,12), which readers take for
    an arithmetic mistake. Going through repr() keeps 0.125 as typed, not its binary
    approximation. Negative zero is folded into zero so Babel never prints "-0".
    """
    if hasattr(value, "item"):  # numpy and pandas scalars, as roll-ups produce them
        value = value.item()
    rounded = Decimal(repr(value) if isinstance(value, float) else value).quantize(
        Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP
    )
    return abs(rounded) if rounded == 0 else rounded


def format_number(value: float | int | None, decimals: int = 0) -> str:
    """Format with "." grouping and "," decimals: 9367 -> "9.367", 19.66 -> "19,66".

    None (and NaN, pandas' empty cell) prints as "-", the reports' mark for no data.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return _babel_format_decimal(_round_half_up(value, decimals), format=pattern, locale=LOCALE)


def format_money(value: int | None) -> str:
    """Format an amount in đồng as the reports write it: "121.450.000 đồng"."""
    if value is None:
        return MISSING
    return f"{format_number(value)} đồng"


def format_count(value: int | None, width: int = 2) -> str:
    """Format a count with the seeds' leading zero for small numbers: 2 -> "02".

    Large counts keep thousands grouping (1224 -> "1.224"). ``width`` is limited to
    1..3 because a wider zero padding would clash with the 3-digit grouping.
    """
    if not 1 <= width <= 3:
        raise ValueError(f"Độ rộng phải từ 1 đến 3 chữ số, nhận được {width}.")
    if value is None:
        return MISSING
    pattern = "#," + "#" * (3 - width) + "0" * width  # e.g. "#,#00" for width 2
    return _babel_format_decimal(value, format=pattern, locale=LOCALE)


def format_percent(value: float | None, decimals: int = 2) -> str:
    """Format a rate already in percent: 19.66 -> "19,66%", 100 -> "100%".

    The value is not multiplied by 100 (unlike Babel's format_percent) because rates
    are stored as typed. A whole result drops its ",00" as the seeds do.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    rounded = _round_half_up(value, decimals)
    shown = decimals if rounded != rounded.to_integral_value() else 0
    return f"{format_number(rounded, shown)}%"


# Scale words for the groups below one billion; bigger amounts recurse on "tỷ".
_GROUP_SCALES = ("", " nghìn", " triệu")


def money_in_words(value: int) -> str:
    """Spell an amount of money for the "Bằng chữ" line: 2500000 ->
    "hai triệu năm trăm nghìn đồng" (lowercase; callers capitalise if needed).
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"Số tiền phải là số nguyên không âm, nhận được “{value}”.")
    return f"{_number_in_words(value, leading=True)} đồng"


def _number_in_words(value: int, *, leading: bool) -> str:
    """Spell a whole number, group of three digits by group of three.

    num2words(lang="vi") spells groups 0..999 correctly but joins them wrongly:
    2014 -> "hai nghìn lẻ mười bốn", 2024 -> "hai nghìn lẻ hai mươi bốn". Every group
    after the first must be read in full ("hai nghìn không trăm mười bốn"), so
    num2words is used per group only and the joining is done here.
    """
    if value == 0:
        return "không"
    billions, rest = divmod(value, 10**9)
    words = []
    if billions:
        words.append(f"{_number_in_words(billions, leading=leading)} tỷ")
    groups = [(rest // 1000**i) % 1000 for i in range(2, -1, -1)]
    for index, group in enumerate(groups):
        if group:
            first = leading and not words
            words.append(_group_in_words(group, full=not first) + _GROUP_SCALES[2 - index])
    return " ".join(words)


def _group_in_words(group: int, *, full: bool) -> str:
    """Spell 1..999; ``full`` adds the "không trăm" that inner groups need (…005 ->
    "không trăm lẻ năm"), which num2words never writes."""
    words = num2words(group, lang="vi")
    if full and group < 100:
        words = "không trăm " + ("lẻ " if group < 10 else "") + words
    return words


def format_list_date(value: object) -> str:
    """A date kept as ISO text, as a list table's "(dd/mm/yyyy)" header asks: "10/01/2024".

    Raises ValueError for text that is not an ISO date (a date typed as words)."""
    return datetime.date.fromisoformat(str(value)[:10]).strftime("%d/%m/%Y")


def format_date_long(d: datetime.date) -> str:
    """Format for the place-and-date line: "ngày 03 tháng 7 năm 2024".

    Decree 30/2020/NĐ-CP pads days below 10 and months 1 and 2 (only) with a zero,
    so the month pattern depends on the month; Babel has no such rule built in.
    """
    return _babel_format_date(d, f"'ngày' dd 'tháng' {_month_pattern(d)} 'năm' yyyy", LOCALE)


def format_date_short(d: datetime.date) -> str:
    """Format as numbers with the same padding rule: "03/7/2024", "05/02/2024"."""
    return _babel_format_date(d, f"dd/{_month_pattern(d)}/yyyy", LOCALE)


def _month_pattern(d: datetime.date) -> str:
    """Return "MM" for January and February (Decree 30/2020 padding), else "M"."""
    return "MM" if d.month < 3 else "M"
