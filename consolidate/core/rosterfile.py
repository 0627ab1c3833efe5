"""Custom rosters: a CSV or XLSX file of units, for trees that differ from the official ones.

Columns (English or Vietnamese headers): code, name, level, parent, email. The level is
written as people write it ("Tỉnh", "Thành phố", "Quận", "Thị xã", "Phường", "Đặc khu" …,
with or without diacritics, optionally after "Cấp"; "Toàn quốc", "Quốc gia" or
"Trung ương" for a root above the provinces) and maps onto the four levels of
:mod:`consolidate.core.vocabulary`; errors name the file and row.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import replace
from pathlib import Path

from consolidate.core.roster import Roster, RosterError, Unit, _Where

_HEADERS = {
    "code": ("code", "mã", "mã đơn vị"),
    "name": ("name", "tên", "tên đơn vị"),
    "level": ("level", "cấp"),
    "parent": ("parent", "mã cấp trên", "đơn vị cấp trên", "cấp trên"),
    "email": ("email", "e-mail", "thư điện tử"),
}
_HEADER_LABELS = {"code": "mã", "name": "tên", "level": "cấp", "parent": "mã cấp trên"}
#: Level words as people write them, per level (the first is the one errors show).
LEVEL_WORDS: dict[str, tuple[str, ...]] = {
    "national": ("toàn quốc", "quốc gia", "trung ương", "national", "country"),
    "province": ("tỉnh", "thành phố", "thành phố trực thuộc trung ương", "province"),
    "district": ("huyện", "quận", "thị xã", "thành phố thuộc tỉnh",
                 "thành phố thuộc thành phố trực thuộc trung ương", "district"),
    "commune": ("xã", "phường", "thị trấn", "đặc khu", "commune", "ward"),
}
#: "Thành phố" alone is a province-level city, unless its parent is a province: then it is a
#: city of that province (district level), as "Thành phố Bắc Kạn" under "Tỉnh Bắc Kạn".
CITY_WORD = "thành phố"
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm")


def _fold(text: str) -> str:
    """Compare headers and level words regardless of case, spacing or Unicode form."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _bare(text: str) -> str:
    """Level words also without diacritics ('Thi xa' = 'Thị xã'): people type them so."""
    decomposed = unicodedata.normalize("NFD", _fold(text).replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_LEVEL_BY_WORD = {_bare(word): level for level, words in LEVEL_WORDS.items() for word in words}


def level_words_text() -> str:
    """'tỉnh, thành phố, …; huyện, quận, …; xã, phường, …': the accepted words, by level."""
    return "; ".join(", ".join(words) for words in LEVEL_WORDS.values())


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
    """'Cấp xã', 'Phường', 'thi xa', 'COMMUNE' -> its level; None when not a level word."""
    word = _bare(text)
    if word.startswith("cap "):
        word = word[len("cap ") :]
    return _LEVEL_BY_WORD.get(word)


def _place_cities(units: list[Unit], words: list[str]) -> list[Unit]:
    """A "thành phố" under a province is a city of that province: district level."""
    levels = {u.code: u.level for u in units}
    return [replace(u, level="district")
            if _bare(w).removeprefix("cap ") == _bare(CITY_WORD) and u.parent
            and levels.get(u.parent) == "province" else u
            for u, w in zip(units, words, strict=True)]


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
            f"Cấp {level_text!r} của đơn vị {code!r} không hợp lệ; các cấp được dùng: "
            f"{level_words_text()}.", where)
    name = " ".join(unicodedata.normalize("NFC", name).split())
    return Unit(code, name, level, get("parent") or None, get("email"))


def load_roster_file(path: str | Path) -> Roster:
    """A custom roster from CSV or XLSX, for units whose tree differs from the official one."""
    path = Path(path)
    if not path.is_file():
        raise RosterError(f"Không tìm thấy tệp danh mục {path} (danh mục có sẵn: 2024, 2025).")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _read_csv(path)
    elif suffix in SPREADSHEET_SUFFIXES:
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
    level_column = columns["level"]
    units = _place_cities(units, [cells[level_column] if level_column < len(cells) else ""
                                  for _, cells in rows[1:]])
    return Roster._located(units, _Where(path.name, [number for number, _ in rows[1:]]))
