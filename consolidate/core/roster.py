"""Administrative-unit rosters: the tree of units that send and consolidate reports.

A roster is the reference list every report is checked against: which units exist, who is
whose parent, and at which level (nation > province > district > commune) a figure is
rolled up. Both official trees have a virtual root "VN" ("Toàn quốc") above the provinces.
The official rosters come from the SQLite file shipped with ``vietnamadminunits``; custom
rosters (one to four levels, e.g. a province that only tracks its communes) come from CSV
or XLSX (:mod:`consolidate.core.rosterfile`).
"""

from __future__ import annotations

import importlib.util
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from consolidate.core.errors import ConsolidateError
from consolidate.core.vocabulary import (
    LEVEL_ORDER,
    LEVELS,
    NATIONAL,
    NATIONAL_CODE,
    NATIONAL_NAME,
    normalise_unit_name,
)


@dataclass(frozen=True, slots=True)
class Unit:
    """One administrative unit; codes stay text so leading zeros ("06") survive."""

    code: str
    name: str
    level: str
    parent: str | None
    email: str = ""


class RosterError(ConsolidateError):
    """A roster that cannot be trusted (code ``roster-invalid``): ``where`` names the file and
    row when the units came from a file, ``detail`` says what is wrong, in Vietnamese."""

    def __init__(self, detail: str, where: str = ""):
        super().__init__("roster-invalid", detail=detail, where=where)


class _Where:
    """Says where a unit came from, so errors in a custom file can point at its row."""

    def __init__(self, source: str | None = None, rows: Sequence[int] = ()) -> None:
        self._source = source
        self._rows = rows

    def at(self, index: int) -> str:
        """Message prefix for the unit at ``index`` ("" when units did not come from a file)."""
        if self._source is None:
            return ""
        return f"Tệp {self._source}, dòng {self._rows[index]}: "

    def also(self, index: int) -> str:
        """Reference to a second row, used when two rows clash."""
        return "" if self._source is None else f" (đã có ở dòng {self._rows[index]})"


class Roster:
    """An immutable tree of units, validated once so later stages can rely on it."""

    __slots__ = ("_units", "_order", "_span", "_children", "_roots", "_levels", "_subtrees")

    def __init__(self, units: Iterable[Unit]) -> None:
        self._build(list(units), _Where())

    @classmethod
    def _located(cls, units: list[Unit], where: _Where) -> Roster:
        """Build a roster whose errors name the file row each unit came from."""
        roster = cls.__new__(cls)
        roster._build(units, where)
        return roster

    def _build(self, units: list[Unit], where: _Where) -> None:
        self._units = _index_units(units, where)
        self._children = _child_codes(units, self._units, where)
        self._roots = [u.code for u in units if u.parent is None]
        self._order, self._span = _preorder(self._roots, self._children)
        self._levels: list[str] | None = None
        self._subtrees: dict[str, Roster] = {}
        _check_cycles(units, self._span, where)
        _check_levels(units, self._units, where)

    def __getitem__(self, code: str) -> Unit:
        try:
            return self._units[code]
        except KeyError:
            raise RosterError(f"Không có đơn vị mã {code} trong danh mục") from None

    def __contains__(self, code: object) -> bool:
        return code in self._units

    def __len__(self) -> int:
        return len(self._units)

    def __iter__(self) -> Iterator[Unit]:
        """Iterate units in pre-order (otherwise Python would fall back to ``self[0]``)."""
        return iter(self.units())

    def __repr__(self) -> str:
        return f"Roster({len(self)} units, levels={self.levels()})"

    def children(self, code: str) -> list[Unit]:
        """Direct children, in roster order (the official rosters are ordered by code)."""
        self[code]  # raises RosterError for an unknown code
        return [self._units[c] for c in self._children.get(code, ())]

    def descendants(self, code: str) -> list[Unit]:
        """All units below ``code``, depth-first (a district, then its communes)."""
        self[code]  # raises RosterError for an unknown code
        start, end = self._span[code]
        return [self._units[c] for c in self._order[start + 1 : end]]

    def ancestors(self, code: str) -> list[Unit]:
        """Parent first, up to the root: the chain a figure is rolled up through."""
        chain = []
        parent = self[code].parent
        while parent is not None:
            unit = self._units[parent]
            chain.append(unit)
            parent = unit.parent
        return chain

    def subtree(self, code: str) -> Roster:
        """The unit as a new root plus everything below it, e.g. one province's own roster."""
        if code not in self._subtrees:  # a report asks for the same one a dozen times
            root = replace(self[code], parent=None)
            self._subtrees[code] = Roster([root, *self.descendants(code)])
        return self._subtrees[code]

    def levels(self) -> list[str]:
        """Levels actually present, top first; ["national", "province", "commune"] for the
        2025 tree, ["province", "commune"] for one of its provinces."""
        if self._levels is None:  # asked for every file ingested: computed once per roster
            present = {u.level for u in self._units.values()}
            self._levels = [level for level in LEVEL_ORDER if level in present]
        return list(self._levels)

    def units(self) -> list[Unit]:
        """All units in pre-order from the roots."""
        return [self._units[c] for c in self._order]

    def roots(self) -> list[Unit]:
        """Units without a parent, in roster order."""
        return [self._units[c] for c in self._roots]


def _index_units(units: list[Unit], where: _Where) -> dict[str, Unit]:
    """Map code -> unit, rejecting duplicate codes and unknown levels."""
    index: dict[str, Unit] = {}
    first_row: dict[str, int] = {}
    for i, unit in enumerate(units):
        if unit.code in index:
            raise RosterError(where=where.at(i), detail=f"Mã đơn vị {unit.code!r} bị trùng"
                              f"{where.also(first_row[unit.code])}.")
        if unit.level not in LEVELS:
            raise RosterError(
                f"Cấp {unit.level!r} của đơn vị {unit.code!r} "
                f"không hợp lệ (phải là {', '.join(LEVEL_ORDER)}).", where.at(i))
        index[unit.code] = unit
        first_row[unit.code] = i
    return index


def _child_codes(units: list[Unit], index: dict[str, Unit], where: _Where) -> dict[str, list[str]]:
    """Map parent code -> child codes in input order, rejecting unknown parents."""
    children: dict[str, list[str]] = {}
    for i, unit in enumerate(units):
        if unit.parent is None:
            continue
        if unit.parent not in index:
            raise RosterError(where=where.at(i), detail=f"Đơn vị {unit.code!r} có mã cấp trên "
                              f"{unit.parent!r} không có trong danh mục.")
        children.setdefault(unit.parent, []).append(unit.code)
    return children


def _preorder(
    roots: list[str], children: dict[str, list[str]]
) -> tuple[list[str], dict[str, tuple[int, int]]]:
    """Pre-order codes and each code's [start, end) slice of it (iterative: no depth cap)."""
    order: list[str] = []
    span: dict[str, tuple[int, int]] = {}
    for root in roots:
        stack = [(root, len(order), iter(children.get(root, ())))]
        order.append(root)
        while stack:
            code, start, pending = stack[-1]
            child = next(pending, None)
            if child is None:
                stack.pop()
                span[code] = (start, len(order))
            else:
                stack.append((child, len(order), iter(children.get(child, ()))))
                order.append(child)
    return order, span


def _check_cycles(units: list[Unit], reached: dict[str, int], where: _Where) -> None:
    """Units never reached from a root sit on (or under) a parent cycle."""
    for i, unit in enumerate(units):
        if unit.code not in reached:
            raise RosterError(
                f"Đơn vị {unit.code!r} nằm trong vòng lặp cấp trên "
                "(một đơn vị là cấp trên của chính nó, trực tiếp hoặc gián tiếp).", where.at(i))


def _check_levels(units: list[Unit], index: dict[str, Unit], where: _Where) -> None:
    """A child must sit strictly below its parent, or roll-ups would double count."""
    for i, unit in enumerate(units):
        if unit.parent is None:
            continue
        parent = index[unit.parent]
        if LEVEL_ORDER.index(unit.level) <= LEVEL_ORDER.index(parent.level):
            raise RosterError(
                f"{where.at(i)}Đơn vị {unit.code!r} ({LEVELS[unit.level].row_label.lower()}) "
                f"không thể trực thuộc {parent.code!r} ({LEVELS[parent.level].row_label.lower()}): "
                "cấp của đơn vị phải thấp hơn cấp trên.")


# --------------------------------------------------------------------------- official data

#: The virtual root of both official trees: the whole country, above every province, so a
#: ministry campaigns the country as a province campaigns its districts (``--unit VN``).
NATIONAL_ROOT = Unit(NATIONAL_CODE, NATIONAL_NAME, NATIONAL, None)


def _dataset_path() -> Path:
    """Locate the bundled SQLite file without importing vietnamadminunits (it is slow)."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RosterError("Chưa cài gói vietnamadminunits nên không đọc được danh mục chính thức.")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "dataset.db"
    if not path.is_file():
        raise RosterError(f"Không tìm thấy tệp dữ liệu danh mục chính thức {path}.")
    return path


def _query(sql: str, params: Sequence[str] = ()) -> list[tuple]:
    """Run one read-only query against the bundled dataset."""
    uri = f"{_dataset_path().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        return connection.execute(sql, tuple(params)).fetchall()


def _three_tier_units() -> list[Unit]:
    """Province -> district -> commune units before the 2025 reform, ordered by code."""
    rows = _query(
        "SELECT provinceCode, province, districtCode, district, districtType, "
        "wardCode, ward, wardType FROM admin_units_legacy "
        "ORDER BY provinceCode, districtCode, wardCode")
    units: list[Unit] = [NATIONAL_ROOT]
    seen: set[str] = set()
    for p_code, p_name, d_code, d_name, d_type, w_code, w_name, w_type in rows:
        if p_code not in seen:
            seen.add(p_code)
            units.append(Unit(p_code, normalise_unit_name(p_name), "province", NATIONAL_CODE))
        if d_code not in seen:
            seen.add(d_code)
            units.append(Unit(d_code, normalise_unit_name(d_name, d_type), "district", p_code))
        if w_code:  # a few island districts have no communes at all
            units.append(Unit(w_code, normalise_unit_name(w_name, w_type), "commune", d_code))
    return units


def _two_tier_units() -> list[Unit]:
    """Province -> commune units after the 2025 reform (no districts), ordered by code."""
    rows = _query("SELECT provinceCode, province, wardCode, ward, wardType FROM admin_units "
                  "ORDER BY provinceCode, wardCode")
    units: list[Unit] = [NATIONAL_ROOT]
    seen: set[str] = set()
    for p_code, p_name, w_code, w_name, w_type in rows:
        if p_code not in seen:
            seen.add(p_code)
            units.append(Unit(p_code, normalise_unit_name(p_name), "province", NATIONAL_CODE))
        units.append(Unit(w_code, normalise_unit_name(w_name, w_type), "commune", p_code))
    return units


@lru_cache(maxsize=8)
def _official(structure: str) -> Roster:
    """Load one official tree once, whatever spelling of the argument asked for it."""
    return Roster(_three_tier_units() if structure == "2024" else _two_tier_units())


@lru_cache(maxsize=8)
def official_roster(structure: str = "2024") -> Roster:
    """The official roster: '2024' (three tiers, pre-reform) or '2025' (two tiers).

    Loaded lazily and cached, so importing this module stays cheap for commands that
    never need the 10,000-unit tree.
    """
    key = str(structure).strip()
    if key not in ("2024", "2025"):
        raise RosterError(f"Danh mục chính thức {structure!r} không có; chọn '2024' hoặc '2025'.")
    return _official(key)


def resolve_roster(choice: str | Path | None) -> Roster:
    """Turn a user's roster choice (CLI option or config value) into a Roster."""
    if choice is None or (isinstance(choice, str) and not choice.strip()):
        return official_roster("2024")
    if isinstance(choice, str) and choice.strip() in ("2024", "2025"):
        return official_roster(choice.strip())
    path = Path(choice)
    if not path.is_file() and path.suffix.lower() not in (".csv", *SPREADSHEET_SUFFIXES):
        raise ConsolidateError("roster-unknown", found=str(choice))
    return load_roster_file(choice)


from consolidate.core.rosterfile import (  # noqa: E402 - the file reader builds on Roster
    SPREADSHEET_SUFFIXES,
    load_roster_file,
)

__all__ = ["Roster", "RosterError", "Unit", "load_roster_file", "official_roster",
           "resolve_roster"]
