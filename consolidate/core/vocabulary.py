"""The words of the domain, said once: levels, their Vietnamese names, kinds of units, times.

Every module that prints a level, builds a level row or groups units by kind takes it
from here, so a form, a status listing and a Word report can never disagree on how a
level or a kind of unit is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Level:
    """One administrative level and every way the documents write it."""

    id: str  # national | province | district | commune
    row_id: str  # the id of its row in a level table: "tinh"
    row_label: str  # the label of that row: "Cấp tỉnh"
    name: str  # as a column value: "Tỉnh"
    plural: str  # after "các": "các tỉnh"


LEVELS: dict[str, Level] = {
    "national": Level("national", "tw", "Cấp trung ương", "Trung ương", "trung ương"),
    "province": Level("province", "tinh", "Cấp tỉnh", "Tỉnh", "tỉnh"),
    "district": Level("district", "huyen", "Cấp huyện", "Huyện", "huyện"),
    "commune": Level("commune", "xa", "Cấp xã", "Xã", "xã"),
}
#: Levels top first: a unit's level must rank below its parent's.
LEVEL_ORDER: tuple[str, ...] = tuple(LEVELS)
#: The level above the provinces: the whole country, a ministry's campaign. Its row in a
#: level table appears only where the form declares it (``national_row``), so forms of
#: every other campaign keep the rows they always had.
NATIONAL = "national"
#: The virtual root of the official trees, above every province.
NATIONAL_CODE = "VN"
NATIONAL_NAME = "Toàn quốc"
#: Level row id -> level ("tinh" -> "province").
ROW_LEVEL: dict[str, str] = {lv.row_id: lv.id for lv in LEVELS.values()}
TOTAL_ROW_ID = "tong"


def level_rank(level: str | None) -> int:
    """Position of a level from the top; -1 for anything that is not a level."""
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else -1


#: Kinds of units as their names begin, in the order documents list them
#: ("UBND các xã, phường, thị trấn"); the official data sometimes capitalises them
#: differently ("Thành Phố Bắc Kạn"), which must not reach a printed report.
UNIT_KINDS: tuple[str, ...] = ("Xã", "Phường", "Thị trấn", "Đặc khu", "Huyện", "Quận", "Thị xã",
                               "Thành phố", "Tỉnh")
#: Longest first, so "Thành phố" is recognised before a shorter kind could match.
_KINDS_BY_LENGTH = tuple(sorted(UNIT_KINDS, key=len, reverse=True))


def unit_kind(name: str) -> str:
    """'Thành phố Bắc Kạn' -> 'Thành phố'; '' when the name carries no kind."""
    return next((k for k in _KINDS_BY_LENGTH if name.startswith(k + " ")), "")


def normalise_unit_name(name: str, unit_type: str | None = None) -> str:
    """Write the kind as the kind itself is written ("Thành Phố X" -> "Thành phố X")."""
    name = " ".join(name.split())
    folded = name.casefold()
    for prefix in (unit_type, *_KINDS_BY_LENGTH):
        if prefix and folded.startswith(prefix.casefold() + " "):
            return prefix + name[len(prefix):]
    return name


def kinds_text(names: Iterable[str]) -> str:
    """'xã, phường, thị trấn': the kinds among these unit names, in document order."""
    kinds = {unit_kind(n) or "đơn vị" for n in names}
    return ", ".join(k.lower() for k in (*UNIT_KINDS, "đơn vị") if k in kinds)


def lower_kind(name: str) -> str:
    """'Thành phố Bắc Kạn' -> 'thành phố Bắc Kạn', as it stands inside a sentence."""
    kind = unit_kind(name)
    return kind.lower() + name[len(kind):] if kind else name


def place_name(name: str) -> str:
    """The place in a date line: 'TP. Bắc Kạn', 'Pác Nặm', 'Bắc Kạn', 'Quận 1'."""
    kind = unit_kind(name)
    rest = name[len(kind):].strip()
    if kind == "Thành phố":
        return f"TP. {rest}"
    if not kind or rest.isdigit():
        return name
    return rest


def when_text(iso: str | None) -> str:
    """An ISO timestamp to the minute, as listings show it: '01/07/2024 08:30' (a date
    alone: '01/07/2024'); text that is not a timestamp is shown as it is."""
    if not iso:
        return ""
    try:
        moment = dt.datetime.fromisoformat(str(iso))
    except ValueError:
        return str(iso)
    has_time = "T" in str(iso) or " " in str(iso).strip()
    return moment.strftime("%d/%m/%Y %H:%M" if has_time else "%d/%m/%Y")


def now_iso() -> str:
    """The current local time with its offset, as the store keeps times."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")
