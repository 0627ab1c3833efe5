"""The bodies a report names: whom it answers, whom it goes to, who files it.

They follow the administrative structure in force for the campaign: the three-tier
structure of 2024 (children's affairs under the Ministry and the provincial Department of
Labour, Invalids and Social Affairs) or the two-tier structure after the 2025
reorganisation (children's affairs moved to the health sector). Every default may be
replaced by a campaign setting (``recipients``, ``archive``, ``basis``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from consolidate.core.roster import Roster, Unit
from consolidate.core.vocabulary import NATIONAL, lower_kind

#: The first year of the structure after the 2025 reorganisation.
REORGANISED_FROM = 2025


@dataclass(frozen=True)
class Sector:
    """The bodies in charge of children's affairs in one structure."""

    ministry: str
    ministry_archive: str  # the ministry's drafting office on a national report's "Lưu:" line
    ministry_symbol: str  # a national report's symbol: "BC-BYT"
    department: str  # the provincial department, before the province's name
    department_short: str
    archive: tuple[str, ...]  # the clerical and the drafting office on the "Lưu:" line
    office: str  # the district's office, for a commune's report in three tiers


LABOUR = Sector("Bộ Lao động - Thương binh và Xã hội", "CTE", "BC-BLĐTBXH",
                "Sở Lao động - Thương binh và Xã hội", "Sở LĐTBXH", ("VT", "LĐTBXH"),
                "Phòng LĐTBXH")
HEALTH = Sector("Bộ Y tế", "BMTE", "BC-BYT", "Sở Y tế", "Sở Y tế", ("VT", "VHXH"),
                "Phòng Văn hóa - Xã hội")


def sector(full: Roster, period: str) -> Sector:
    """The structure in force: two-tier rosters and periods from 2025 are after the merger."""
    year = int(period[:4]) if period[:4].isdigit() else 0
    two_tier = "district" not in full.levels()
    return HEALTH if two_tier or year >= REORGANISED_FROM else LABOUR


#: The body a national report answers: the ministry reports to the Government.
GOVERNMENT = "Chính phủ"
#: Where a ministry's report is dated, unless the campaign's ``place`` says otherwise.
CAPITAL = "Hà Nội"


def is_national(unit: Unit) -> bool:
    """The whole country: its report is the ministry's, not a People's Committee's."""
    return unit.level == NATIONAL


def is_top(full: Roster, unit: Unit) -> bool:
    """A unit with no People's Committee above it: a root, or a province under the nation."""
    return not unit.parent or is_national(full[unit.parent])


def province_of(full: Roster, unit: Unit) -> Unit:
    """The top unit of the tree above (or equal to) ``unit``, the nation left out."""
    chain = [u for u in (unit, *full.ancestors(unit.code)) if not is_national(u)]
    return chain[-1] if chain else unit


def superior_body(full: Roster, unit: Unit, bodies: Sector) -> str:
    """The body whose request the report answers: the People's Committee above, the
    ministry for a province, the Government for the ministry's national report."""
    if is_national(unit):
        return GOVERNMENT
    if not is_top(full, unit):
        return f"Ủy ban nhân dân {lower_kind(full[unit.parent].name)}"
    return bodies.ministry


def basis_text(settings: dict[str, Any], superior: str) -> str:
    """The document the report answers (campaign setting ``basis``), else a placeholder the
    clerk fills in: number, date and issuer are left as dots."""
    given = str(settings.get("basis") or "").strip().rstrip(",;.")
    return given or f"văn bản số …/… ngày …/…/… của {superior}"


def recipients(settings: dict[str, Any], full: Roster, unit: Unit, bodies: Sector,
               kind: str, children_kinds: str) -> list[str]:
    """The campaign's own list, else the usual one: the bodies above, the council and the
    committee's leaders, the sector's department, the units below."""
    given = settings.get("recipients")
    if isinstance(given, list) and given:
        return [str(r).strip().lstrip("-").strip().rstrip(";.") for r in given]
    if is_national(unit):
        out = [GOVERNMENT, "Lãnh đạo Bộ"]
        return [*out, f"UBND các {children_kinds}"] if children_kinds else out
    top = is_top(full, unit)
    province = lower_kind(province_of(full, unit).name)
    department = f"{bodies.department if top else bodies.department_short} {province}"
    kind = kind or "đơn vị"
    if top:
        out = [bodies.ministry, f"TT. HĐND {kind}", f"Lãnh đạo UBND {kind}", department]
    else:
        parent = full[unit.parent]
        above = lower_kind(parent.name)
        out = ([f"UBND {above}", f"{bodies.office} {above}"] if not is_top(full, parent)
               else [department])
        out += [f"TT. HĐND {kind}", f"Lãnh đạo UBND {kind}"]
    if children_kinds:
        out.append(f"UBND các {children_kinds}")
    return out


def archive(settings: dict[str, Any], unit: Unit, bodies: Sector,
            full: Roster | None = None) -> str:
    """The "Lưu:" line: the campaign's ``archive`` list, else the clerical office and the
    drafting office (the provincial department for a province after 2025)."""
    given = settings.get("archive")
    if isinstance(given, list) and given:
        return ", ".join(str(a).strip() for a in given if str(a).strip())
    if isinstance(given, str) and given.strip():
        return given.strip().rstrip(".")
    if is_national(unit):
        return f"VT, {bodies.ministry_archive}"
    top = is_top(full, unit) if full is not None else not unit.parent
    if bodies is HEALTH and top:
        return "VT, SYT"
    return ", ".join(bodies.archive)
