"""Administrative-unit rosters: the tree of units that send and consolidate reports.

A roster is the reference list every report is checked against: which units exist, who is
whose parent, and at which level (province > district > commune) a figure is rolled up.
The official rosters come from the SQLite file shipped with ``vietnamadminunits``; custom
rosters (any depth, e.g. a province that only tracks its communes) come from CSV or XLSX.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from consolidate.core.errors import ConsolidateError
from consolidate.core.vocabulary import LEVEL_ORDER, LEVELS, normalise_unit_name


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

    __slots__ = ("_units", "_order", "_span", "_children", "_roots", "_levels")

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
        root = replace(self[code], parent=None)
        return Roster([root, *self.descendants(code)])

    def levels(self) -> list[str]:
        """Levels actually present, top first; ["province", "commune"] for the 2025 tree."""
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


def _dataset_path() -> Path:
    """Locate the bundled SQLite file without importing vietnamadminunits (it is slow)."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RosterError("Chưa cài gói vietnamadminunits nên không đọc được danh mục chính thức.")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "dataset.db"
    if not path.is_file():
        raise RosterError(f"Không tìm thấy tệp dữ liệu danh mục chính thức {path}.")
    return path


def _query(sql: str) -> list[tuple]:
    """Run one read-only query against the bundled dataset."""
    uri = f"{_dataset_path().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        return connection.execute(sql).fetchall()


def _three_tier_units() -> list[Unit]:
    """Province -> district -> commune units before the 2025 reform, ordered by code."""
    rows = _query(
        "SELECT provinceCode, province, districtCode, district, districtType, "
        "wardCode, ward, wardType FROM admin_units_legacy "
        "ORDER BY provinceCode, districtCode, wardCode")
    units: list[Unit] = []
    seen: set[str] = set()
    for p_code, p_name, d_code, d_name, d_type, w_code, w_name, w_type in rows:
        if p_code not in seen:
            seen.add(p_code)
            units.append(Unit(p_code, normalise_unit_name(p_name), "province", None))
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
    units: list[Unit] = []
    seen: set[str] = set()
    for p_code, p_name, w_code, w_name, w_type in rows:
        if p_code not in seen:
            seen.add(p_code)
            units.append(Unit(p_code, normalise_unit_name(p_name), "province", None))
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


# --------------------------------------------------------------------------- custom files

_HEADERS = {
    "code": ("code", "mã", "mã đơn vị"),
    "name": ("name", "tên", "tên đơn vị"),
    "level": ("level", "cấp"),
    "parent": ("parent", "mã cấp trên", "đơn vị cấp trên", "cấp trên"),
    "email": ("email", "e-mail", "thư điện tử"),
}
_HEADER_LABELS = {"code": "mã", "name": "tên", "level": "cấp", "parent": "mã cấp trên"}
_LEVEL_WORDS = {"province": "province", "tỉnh": "province", "district": "district",
                "huyện": "district", "commune": "commune", "xã": "commune"}
_SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm")


def _fold(text: str) -> str:
    """Compare headers and level words regardless of case, spacing or Unicode form."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _cell_text(value: object) -> str:
    """Cell as text; a spreadsheet number typed as a code (1840.0) becomes '1840'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(path: Path) -> list[tuple[int, list[str]]]:
    """(row number, cells) for a UTF-8 CSV, BOM optional, comma or semicolon separated."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError(f"Tệp {path.name} không phải văn bản UTF-8; "
                          "hãy lưu lại dưới dạng CSV UTF-8.") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    last_line = 0
    for cells in reader:  # a quoted cell may span lines: number rows by their first line
        rows.append((last_line + 1, cells))
        last_line = reader.line_num
    return rows


def _read_spreadsheet(path: Path) -> list[tuple[int, list[str]]]:
    """(row number, cells) for the first sheet, numbered as Excel shows them."""
    from python_calamine import CalamineWorkbook  # only needed for spreadsheet rosters

    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several unrelated types for bad files
        raise RosterError(f"Không đọc được tệp {path.name}: {exc}") from exc
    return [(number, [_cell_text(v) for v in row]) for number, row in enumerate(rows, start=1)]


def _header_columns(cells: list[str], path: Path, row: int) -> dict[str, int]:
    """Map field -> column index from the header row, accepting Vietnamese headers."""
    aliases = {alias: field for field, names in _HEADERS.items() for alias in names}
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        field = aliases.get(_fold(cell))
        if field and field not in columns:
            columns[field] = index
    missing = [label for field, label in _HEADER_LABELS.items() if field not in columns]
    if missing:
        raise RosterError(f"Tệp {path.name}, dòng {row}: Thiếu cột {', '.join(missing)} "
                          "(cần các cột mã, tên, cấp, mã cấp trên; email nếu có).")
    return columns


def _parse_level(text: str) -> str | None:
    """'Cấp xã', 'xã', 'COMMUNE' -> 'commune'; None when not a known level."""
    word = _fold(text)
    if word.startswith("cấp "):
        word = word[len("cấp ") :]
    return _LEVEL_WORDS.get(word)


def _row_unit(cells: list[str], columns: dict[str, int], path: Path, row: int) -> Unit:
    """One data row as a Unit, with row-numbered errors for missing or bad cells."""
    def get(field: str) -> str:
        index = columns.get(field)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    where = f"Tệp {path.name}, dòng {row}: "
    code, name, level_text = get("code"), get("name"), get("level")
    if not code:
        raise RosterError(where=where, detail="Thiếu mã đơn vị.")
    if not name:
        raise RosterError(where=where, detail=f"Đơn vị {code!r} thiếu tên.")
    level = _parse_level(level_text)
    if level is None:
        raise RosterError(
            f"Cấp {level_text!r} của đơn vị {code!r} không hợp lệ "
            "(dùng tỉnh/huyện/xã hoặc province/district/commune).", where)
    name = " ".join(unicodedata.normalize("NFC", name).split())
    return Unit(code, name, level, get("parent") or None, get("email"))


def load_roster_file(path: str | Path) -> Roster:
    """A custom roster from CSV or XLSX, for units whose tree differs from the official one."""
    path = Path(path)
    if not path.is_file():
        raise RosterError(f"Không tìm thấy tệp danh mục {path}.")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _read_csv(path)
    elif suffix in _SPREADSHEET_SUFFIXES:
        rows = _read_spreadsheet(path)
    else:
        raise RosterError(f"Tệp {path.name}: Chỉ hỗ trợ danh mục dạng CSV hoặc XLSX.")
    rows = [(number, cells) for number, cells in rows if any(c.strip() for c in cells)]
    if not rows:
        raise RosterError(f"Tệp {path.name} trống.")
    header_row, header = rows[0]
    columns = _header_columns(header, path, header_row)
    units = [_row_unit(cells, columns, path, number) for number, cells in rows[1:]]
    if not units:
        raise RosterError(f"Tệp {path.name} không có đơn vị nào.")
    return Roster._located(units, _Where(path.name, [number for number, _ in rows[1:]]))


def resolve_roster(choice: str | Path | None) -> Roster:
    """Turn a user's roster choice (CLI option or config value) into a Roster."""
    if choice is None or (isinstance(choice, str) and not choice.strip()):
        return official_roster("2024")
    if isinstance(choice, str) and choice.strip() in ("2024", "2025"):
        return official_roster(choice.strip())
    return load_roster_file(choice)
