"""Form specs: the declarative description of what a unit fills in.

A spec is YAML under ``forms/``. It is loaded into frozen dataclasses and checked
on load, so a typo in a spec fails at once with the line it sits on rather than
later as a wrong number in a report. A spec may ``extends:`` another one and
replace some of its tables by id: a province declares its variant of a table in
YAML alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

#: How each element kind rolls up the hierarchy (DESIGN.md, "Aggregation rules").
KINDS: dict[str, str] = {
    "count": "sum",
    "money": "sum",
    "text": "collect",
}
NUMERIC_KINDS = frozenset({"count", "money"})

#: Row ids of level rows, keyed by roster level.
LEVEL_ROW_IDS: dict[str, str] = {"province": "tinh", "district": "huyen", "commune": "xa"}
LEVEL_ROW_LABELS: dict[str, str] = {
    "province": "Cấp tỉnh",
    "district": "Cấp huyện",
    "commune": "Cấp xã",
}
LEVEL_ORDER = ("province", "district", "commune")
TOTAL_ROW_ID = "tong"

FORMS_DIR = Path(__file__).resolve().parent.parent / "forms"


class SpecError(ValueError):
    """A spec that cannot be used; the message names the file and line, in Vietnamese."""


@dataclass(frozen=True, slots=True)
class Column:
    id: str
    label: str
    kind: str
    group: str | None = None


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    label: str
    level: str | None = None  # set for level rows
    kind: str | None = None  # overrides the column's kind for an explicit row

    @property
    def is_total(self) -> bool:
        return self.id == TOTAL_ROW_ID


@dataclass(frozen=True, slots=True)
class Table:
    id: str
    sheet: str
    title: str
    columns: tuple[Column, ...]
    explicit_rows: tuple[Row, ...] = ()
    total_label: str = "Tổng cộng"

    @property
    def has_level_rows(self) -> bool:
        return not self.explicit_rows

    def rows(self, levels: list[str]) -> list[Row]:
        """The rows as laid out for a roster with these levels, total row last."""
        if self.explicit_rows:
            return list(self.explicit_rows)
        rows = [Row(LEVEL_ROW_IDS[lv], LEVEL_ROW_LABELS[lv], level=lv) for lv in levels]
        return [*rows, Row(TOTAL_ROW_ID, self.total_label)]

    def kind(self, row: Row, column: Column) -> str:
        return row.kind or column.kind

    def groups(self) -> list[tuple[str | None, list[Column]]]:
        """Consecutive columns sharing a group label, for merged header cells."""
        out: list[tuple[str | None, list[Column]]] = []
        for col in self.columns:
            if out and out[-1][0] == col.group and col.group is not None:
                out[-1][1].append(col)
            else:
                out.append((col.group, [col]))
        return out


@dataclass(frozen=True, slots=True)
class Field:
    """A narrative answer (text the unit writes for the report)."""

    id: str
    label: str
    section: str = ""


@dataclass(frozen=True)
class FormSpec:
    id: str
    version: int
    title: str
    short_title: str
    tables: tuple[Table, ...]
    narrative: tuple[Field, ...] = ()
    sections: dict[str, str] = field(default_factory=dict)
    source: str = ""

    def table(self, table_id: str) -> Table:
        for t in self.tables:
            if t.id == table_id:
                return t
        raise KeyError(table_id)

    @cached_property
    def numeric_elements(self) -> list[tuple[str, str]]:
        """(table id, column id) of every numeric column, in layout order."""
        return [(t.id, c.id) for t in self.tables for c in t.columns if c.kind in NUMERIC_KINDS]


# --------------------------------------------------------------------------- loading


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every mapping under ``__line__``."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

_TOP_KEYS = {"id", "version", "title", "short_title", "tables", "narrative", "sections", "extends"}
_TABLE_KEYS = {"id", "sheet", "title", "rows", "groups", "columns", "total_label"}
_GROUP_KEYS = {"label", "columns"}
_COLUMN_KEYS = {"id", "label", "kind"}
_ROW_KEYS = {"id", "label", "kind"}
_FIELD_KEYS = {"id", "label", "section"}


class _Reader:
    """Turns the raw YAML mappings into spec objects, failing with file and line."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, node: dict[str, Any] | None, message: str) -> SpecError:
        line = node.get("__line__") if isinstance(node, dict) else None
        where = f"{self.source}, dòng {line}" if line else self.source
        return SpecError(f"Biểu mẫu {where}: {message}")

    def mapping(self, node: Any, allowed: set[str], what: str) -> dict[str, Any]:
        if not isinstance(node, dict):
            raise self.fail(None, f"{what} phải là một bảng khóa: giá trị (tìm thấy {node!r})")
        unknown = sorted(set(node) - allowed - {"__line__"})
        if unknown:
            raise self.fail(
                node, f"khóa không hợp lệ trong {what}: {', '.join(unknown)} "
                f"(các khóa được dùng: {', '.join(sorted(allowed))})"
            )
        return node

    def text(self, node: dict[str, Any], key: str, what: str) -> str:
        value = node.get(key)
        if not isinstance(value, (str, int)) or not str(value).strip():
            raise self.fail(node, f"{what} thiếu '{key}'")
        return " ".join(str(value).split())

    def ident(self, node: dict[str, Any], what: str) -> str:
        value = self.text(node, "id", what)
        if not value.replace("_", "").replace("-", "").isalnum() or not value.isascii():
            raise self.fail(node, f"mã '{value}' của {what} chỉ được gồm chữ không dấu, số, '_'")
        return value

    def kind(self, node: dict[str, Any], what: str, required: bool = True) -> str | None:
        value = node.get("kind")
        if value is None and not required:
            return None
        if value not in KINDS:
            raise self.fail(
                node, f"loại chỉ tiêu '{value}' của {what} không hợp lệ "
                f"(dùng một trong: {', '.join(KINDS)})"
            )
        return value

    def column(self, node: Any, group: str | None) -> Column:
        node = self.mapping(node, _COLUMN_KEYS, "cột")
        ident = self.ident(node, "cột")
        label = self.text(node, "label", f"cột '{ident}'")
        return Column(ident, label, self.kind(node, f"cột '{ident}'"), group)

    def columns(self, node: dict[str, Any], tid: str) -> tuple[Column, ...]:
        if "groups" in node and "columns" in node:
            raise self.fail(node, f"bảng '{tid}' chỉ dùng một trong 'groups' hoặc 'columns'")
        cols: list[Column] = []
        if "groups" in node:
            for g in node["groups"] or []:
                g = self.mapping(g, _GROUP_KEYS, f"nhóm cột của bảng '{tid}'")
                label = self.text(g, "label", f"nhóm cột của bảng '{tid}'")
                cols += [self.column(c, label) for c in g.get("columns") or []]
        else:
            cols = [self.column(c, None) for c in node.get("columns") or []]
        if not cols:
            raise self.fail(node, f"bảng '{tid}' không có cột nào")
        self.unique([c.id for c in cols], node, f"cột của bảng '{tid}'")
        return tuple(cols)

    def rows(self, node: dict[str, Any], tid: str) -> tuple[Row, ...]:
        raw = node.get("rows", "levels")
        if raw == "levels":
            return ()
        if not isinstance(raw, list) or not raw:
            raise self.fail(node, f"'rows' của bảng '{tid}' phải là 'levels' hoặc danh sách dòng")
        rows = []
        for r in raw:
            r = self.mapping(r, _ROW_KEYS, f"dòng của bảng '{tid}'")
            ident = self.ident(r, "dòng")
            rows.append(Row(ident, self.text(r, "label", f"dòng '{ident}'"),
                            kind=self.kind(r, f"dòng '{ident}'", required=False)))
        self.unique([r.id for r in rows], node, f"dòng của bảng '{tid}'")
        return tuple(rows)

    def table(self, node: Any) -> Table:
        node = self.mapping(node, _TABLE_KEYS, "bảng")
        tid = self.ident(node, "bảng")
        return Table(
            id=tid,
            sheet=self.text(node, "sheet", f"bảng '{tid}'")[:31],
            title=self.text(node, "title", f"bảng '{tid}'"),
            columns=self.columns(node, tid),
            explicit_rows=self.rows(node, tid),
            total_label=str(node.get("total_label", "Tổng cộng")),
        )

    def field(self, node: Any) -> Field:
        node = self.mapping(node, _FIELD_KEYS, "mục thuyết minh")
        ident = self.ident(node, "mục thuyết minh")
        label = self.text(node, "label", f"mục '{ident}'")
        return Field(ident, label, str(node.get("section", "")))

    def unique(self, ids: list[str], node: dict[str, Any], what: str) -> None:
        seen = {i for i in ids if ids.count(i) > 1}
        if seen:
            raise self.fail(node, f"mã trùng nhau trong {what}: {', '.join(sorted(seen))}")


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"Không đọc được biểu mẫu {path}: {exc.strerror}") from exc
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", dòng {mark.line + 1}" if mark else ""
        raise SpecError(f"Biểu mẫu {path.name}{line}: sai cú pháp YAML") from exc
    if not isinstance(data, dict):
        raise SpecError(f"Biểu mẫu {path.name}: tệp phải là một bảng khóa: giá trị")
    return data


def _merge_extends(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """Apply ``extends``: the base spec with this one's keys and tables (by id) on top."""
    base_name = data.pop("extends")
    base = _read_yaml(_locate(str(base_name), path.parent))
    if "extends" in base:
        base = _merge_extends(base, path)
    own_tables = {t.get("id"): t for t in data.pop("tables", []) or [] if isinstance(t, dict)}
    merged = {**base, **data}
    tables = [own_tables.pop(t.get("id"), t) for t in base.get("tables", [])]
    merged["tables"] = tables + list(own_tables.values())
    return merged


def _locate(name: str, near: Path | None = None) -> Path:
    """A spec given by id (``thang-hanh-dong``) or by path."""
    candidate = Path(name)
    if candidate.suffix in {".yaml", ".yml"} and candidate.exists():
        return candidate
    for folder in filter(None, [near, FORMS_DIR]):
        path = folder / f"{name}.yaml"
        if path.exists():
            return path
    known = ", ".join(p.stem for p in sorted(FORMS_DIR.glob("*.yaml")))
    raise SpecError(f"Không tìm thấy biểu mẫu '{name}' (các biểu mẫu có sẵn: {known})")


def load_spec(name: str | Path) -> FormSpec:
    """Load and check a form spec, by id (a file in ``forms/``) or by path."""
    path = _locate(str(name))
    data = _read_yaml(path)
    if "extends" in data:
        data = _merge_extends(data, path)
    reader = _Reader(path.name)
    reader.mapping(data, _TOP_KEYS, "biểu mẫu")
    tables = tuple(reader.table(t) for t in data.get("tables") or [])
    if not tables:
        raise reader.fail(data, "biểu mẫu không có bảng nào")
    reader.unique([t.id for t in tables], data, "các bảng")
    reader.unique([t.sheet for t in tables], data, "tên trang tính")
    narrative = tuple(reader.field(f) for f in data.get("narrative") or [])
    version = data.get("version", 1)
    if not isinstance(version, int) or version < 1:
        raise reader.fail(data, f"'version' phải là số nguyên dương (tìm thấy {version!r})")
    sections = {str(k): str(v) for k, v in (data.get("sections") or {}).items() if k != "__line__"}
    return FormSpec(
        id=reader.ident(data, "biểu mẫu"),
        version=version,
        title=reader.text(data, "title", "biểu mẫu"),
        short_title=str(data.get("short_title") or data["title"]),
        tables=tables,
        narrative=narrative,
        sections=sections,
        source=str(path),
    )


def available_forms() -> list[str]:
    return [p.stem for p in sorted(FORMS_DIR.glob("*.yaml"))]
