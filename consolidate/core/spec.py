"""Form specs: the declarative description of what a unit fills in.

A spec is YAML under ``forms/``. It is loaded into frozen dataclasses and checked
on load, so a typo in a spec fails at once with the line it sits on rather than
later as a wrong number in a report. A spec may ``extends:`` another one and
replace some of its tables by id: a province declares its variant of a table in
YAML alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from consolidate.core.errors import ConsolidateError
from consolidate.core.resources import shipped_specs
from consolidate.core.vocabulary import LEVEL_ORDER, LEVELS, TOTAL_ROW_ID

#: How each element kind rolls up the hierarchy (DESIGN.md, "Aggregation rules").
KINDS: dict[str, str] = {
    "count": "sum",
    "money": "sum",
    "decimal": "recompute",  # rates: recomputed from their parts, never averaged
    "text": "collect",
    "date": "collect",
    "yes_no": "share",  # share of units meeting the condition
    "target": "own",  # each unit's own plan figure, not aggregated
}
NUMERIC_KINDS = frozenset({"count", "money"})
TABLE_KINDS = ("levels", "fields", "list", "indicators")
INDICATOR_KINDS = ("rate", "share")
DIRECTIONS = ("lower", "higher")


class SpecError(ConsolidateError):
    """A spec that cannot be used (code ``spec-invalid``): ``where`` names the file and line,
    ``detail`` says what is wrong, in Vietnamese."""

    def __init__(self, detail: str = "", where: str = "", *, code: str = "spec-invalid",
                 **fields: str):
        super().__init__(code, detail=detail, where=where, **fields)


@dataclass(frozen=True, slots=True)
class Column:
    id: str
    label: str
    kind: str
    group: str | None = None


@dataclass(frozen=True, slots=True)
class Indicator:
    """A rate recomputed from its parts at every level, or a share of units."""

    kind: str  # rate | share
    better: str  # lower | higher: which way a result beats its target
    scale: int = 100
    numerator: str = ""  # label of the part the form asks for
    denominator: str = ""
    numerator_ref: str | None = None  # "table.row" of an element entered elsewhere
    denominator_ref: str | None = None
    level: str = "commune"  # for a share: the level whose units answer yes/no

    @property
    def symbol(self) -> str:
        return "‰" if self.scale == 1000 else "%"


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    label: str
    level: str | None = None  # set for level rows
    kind: str | None = None  # overrides the column's kind for an explicit row
    unit: str = ""  # ĐVT printed beside the label
    entered_by: tuple[str, ...] = ()  # levels that enter this row; () = the table's
    indicator: Indicator | None = None

    @property
    def is_total(self) -> bool:
        return self.id == TOTAL_ROW_ID


#: The fixed columns of an indicator table.
INDICATOR_COLUMNS = (
    Column("nam_truoc", "Kết quả năm trước", "decimal"),
    Column("ke_hoach", "Kế hoạch năm nay (ví dụ < 12; ≥ 95)", "target"),
    Column("tu_so", "Tử số", "count"),
    Column("mau_so", "Mẫu số", "count"),
    Column("ket_qua", "Kết quả đơn vị tự tính", "decimal"),
    Column("co_khong", "Có / Không", "yes_no"),
)


@dataclass(frozen=True, slots=True)
class Table:
    id: str
    sheet: str
    title: str
    columns: tuple[Column, ...]
    explicit_rows: tuple[Row, ...] = ()
    total_label: str = "Tổng cộng"
    kind: str = "levels"
    entered_by: tuple[str, ...] = ()  # () = every level enters its own figures
    max_rows: int = 0  # for a list table: blank rows offered in the form

    @property
    def has_level_rows(self) -> bool:
        return self.kind == "levels"

    @property
    def has_units(self) -> bool:
        return any(r.unit for r in self.explicit_rows)

    def rows(self, levels: list[str]) -> list[Row]:
        """The rows as laid out for a roster with these levels, total row last."""
        if self.kind == "list":
            return [Row(f"r{i}", str(i)) for i in range(1, self.max_rows + 1)]
        if self.kind != "levels":
            return list(self.explicit_rows)
        rows = [Row(LEVELS[lv].row_id, LEVELS[lv].row_label, level=lv) for lv in levels]
        return [*rows, Row(TOTAL_ROW_ID, self.total_label)]

    def row(self, row_id: str) -> Row:
        return next(r for r in self.explicit_rows if r.id == row_id)

    def kind_of(self, row: Row, column: Column) -> str:
        return row.kind or column.kind

    def accepts(self, row: Row, column: Column, level: str) -> bool:
        """Whether a unit at ``level`` enters this cell (others are rolled up or not used)."""
        if row.is_total:
            return False
        if self.kind == "levels":
            return LEVEL_ORDER.index(row.level) <= LEVEL_ORDER.index(level)
        if self.kind == "indicators":
            return _indicator_accepts(row, column.id, level, self.entered_by)
        levels = row.entered_by or self.entered_by
        return not levels or level in levels

    def groups(self) -> list[tuple[str | None, list[Column]]]:
        """Consecutive columns sharing a group label, for merged header cells."""
        out: list[tuple[str | None, list[Column]]] = []
        for col in self.columns:
            if out and out[-1][0] == col.group and col.group is not None:
                out[-1][1].append(col)
            else:
                out.append((col.group, [col]))
        return out


def _indicator_accepts(row: Row, column: str, level: str, default: tuple[str, ...]) -> bool:
    ind = row.indicator
    assert ind is not None
    if column in ("nam_truoc", "ke_hoach"):
        return True  # every unit states its own previous result and its own plan
    if ind.kind == "share":
        return column == "co_khong" and level == ind.level
    if column == "ket_qua":
        return True
    if column not in ("tu_so", "mau_so"):
        return False
    ref = ind.numerator_ref if column == "tu_so" else ind.denominator_ref
    levels = row.entered_by or default
    return ref is None and (not levels or level in levels)


@dataclass(frozen=True, slots=True)
class Field:
    """A narrative answer (text the unit writes for the report)."""

    id: str
    label: str
    section: str = ""


@dataclass(frozen=True, slots=True)
class Check:
    """A cross-field rule: ``left`` (a sum of elements) compared with ``right``."""

    id: str
    left: tuple[str, ...]  # element refs "table.row" or "table.row.col"
    op: str  # == <= >= < >
    right: tuple[str, ...]
    message: str
    severity: str = "error"


@dataclass(frozen=True)
class FormSpec:
    id: str
    version: int
    title: str
    short_title: str
    tables: tuple[Table, ...]
    narrative: tuple[Field, ...] = ()
    sections: dict[str, str] = field(default_factory=dict)
    checks: tuple[Check, ...] = ()
    change_factor: float | None = None  # warn when a figure moves more than this from last year
    source: str = ""

    def table(self, table_id: str) -> Table:
        for t in self.tables:
            if t.id == table_id:
                return t
        raise KeyError(table_id)

    @cached_property
    def numeric_elements(self) -> list[tuple[str, str]]:
        """(table id, column id) of every numeric column of the level tables, in layout order."""
        return [(t.id, c.id) for t in self.tables if t.kind == "levels"
                for c in t.columns if c.kind in NUMERIC_KINDS]

    def resolve(self, ref: str) -> tuple[str, str, str]:
        """'tinh_hinh.tre_em' -> ('tinh_hinh', 'tre_em', 'so_lieu'): a single-column default."""
        parts = ref.split(".")
        table = self.table(parts[0])
        if len(parts) == 2 and len(table.columns) == 1:
            return parts[0], parts[1], table.columns[0].id
        if len(parts) != 3:
            raise KeyError(ref)
        return parts[0], parts[1], parts[2]

    def label_of(self, tbl: str, row: str, col: str) -> str:
        table = self.table(tbl)
        row_label = next((r.label for r in table.rows(list(LEVEL_ORDER)) if r.id == row), row)
        col_label = next((c.label for c in table.columns if c.id == col), col)
        return row_label if len(table.columns) == 1 else f"{row_label}, {col_label}"


# --------------------------------------------------------------------------- loading


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every mapping under ``__line__``."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

_TOP_KEYS = {"id", "version", "title", "short_title", "tables", "narrative", "sections",
             "extends", "checks", "change_factor"}
_TABLE_KEYS = {"id", "sheet", "title", "rows", "groups", "columns", "total_label", "kind",
               "entered_by", "max_rows", "indicators"}
_GROUP_KEYS = {"label", "columns"}
_COLUMN_KEYS = {"id", "label", "kind"}
_ROW_KEYS = {"id", "label", "kind", "unit", "entered_by"}
_INDICATOR_KEYS = {"id", "label", "kind", "unit", "entered_by", "scale", "better", "numerator",
                   "denominator", "question", "level"}
_FIELD_KEYS = {"id", "label", "section"}
_CHECK_KEYS = {"id", "rule", "message", "severity"}
_OPS = ("==", "<=", ">=", "<", ">")


class _Reader:
    """Turns the raw YAML mappings into spec objects, failing with file and line."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, node: dict[str, Any] | None, message: str) -> SpecError:
        line = node.get("__line__") if isinstance(node, dict) else None
        where = f"{self.source}, dòng {line}" if line else self.source
        return SpecError(message, where, file=self.source, line=str(line or ""))

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
                            kind=self.kind(r, f"dòng '{ident}'", required=False),
                            unit=str(r.get("unit", "")),
                            entered_by=self.levels(r, f"dòng '{ident}'")))
        self.unique([r.id for r in rows], node, f"dòng của bảng '{tid}'")
        return tuple(rows)

    def table(self, node: Any) -> Table:
        node = self.mapping(node, _TABLE_KEYS, "bảng")
        tid = self.ident(node, "bảng")
        kind = node.get("kind", "levels" if node.get("rows", "levels") == "levels" else "fields")
        if kind not in TABLE_KINDS:
            raise self.fail(node, f"loại bảng '{kind}' không hợp lệ "
                            f"(dùng: {', '.join(TABLE_KINDS)})")
        common = {
            "id": tid, "kind": kind,
            "sheet": self.text(node, "sheet", f"bảng '{tid}'")[:31],
            "title": self.text(node, "title", f"bảng '{tid}'"),
            "entered_by": self.levels(node, f"bảng '{tid}'"),
        }
        if kind == "indicators":
            rows = tuple(self.indicator(r, tid) for r in node.get("indicators") or [])
            if not rows:
                raise self.fail(node, f"bảng chỉ tiêu '{tid}' không có chỉ tiêu nào")
            self.unique([r.id for r in rows], node, f"chỉ tiêu của bảng '{tid}'")
            return Table(columns=INDICATOR_COLUMNS, explicit_rows=rows, **common)
        if kind == "list":
            max_rows = node.get("max_rows", 50)
            if not isinstance(max_rows, int) or not 1 <= max_rows <= 1000:
                raise self.fail(node, f"'max_rows' của bảng '{tid}' phải là số từ 1 đến 1000")
            return Table(columns=self.columns(node, tid), max_rows=max_rows, **common)
        return Table(
            columns=self.columns(node, tid),
            explicit_rows=self.rows(node, tid) if kind == "fields" else (),
            total_label=str(node.get("total_label", "Tổng cộng")),
            **common,
        )

    def levels(self, node: dict[str, Any], what: str) -> tuple[str, ...]:
        raw = node.get("entered_by") or []
        levels = tuple([raw] if isinstance(raw, str) else raw)
        bad = [lv for lv in levels if lv not in LEVEL_ORDER]
        if bad:
            raise self.fail(node, f"cấp '{bad[0]}' của {what} không hợp lệ "
                            f"(dùng: {', '.join(LEVEL_ORDER)})")
        return levels

    def indicator(self, node: Any, tid: str) -> Row:
        node = self.mapping(node, _INDICATOR_KEYS, f"chỉ tiêu của bảng '{tid}'")
        ident = self.ident(node, "chỉ tiêu")
        what = f"chỉ tiêu '{ident}'"
        kind = node.get("kind", "rate")
        if kind not in INDICATOR_KINDS:
            raise self.fail(node, f"loại của {what} phải là rate hoặc share (tìm thấy {kind!r})")
        better = node.get("better")
        if better not in DIRECTIONS:
            raise self.fail(node, f"{what} thiếu 'better: lower' hoặc 'better: higher'")
        scale = node.get("scale", 100)
        if scale not in (100, 1000):
            raise self.fail(node, f"'scale' của {what} phải là 100 hoặc 1000")
        if kind == "share":
            ind = Indicator("share", better, 100, numerator=self.text(node, "question", what),
                            level=str(node.get("level", "commune")))
        else:
            num, num_ref = self.part(node, "numerator", what)
            den, den_ref = self.part(node, "denominator", what)
            ind = Indicator("rate", better, scale, num, den, num_ref, den_ref)
        return Row(ident, self.text(node, "label", what), unit=str(node.get("unit", ind.symbol)),
                   entered_by=self.levels(node, what), indicator=ind)

    def part(self, node: dict[str, Any], key: str, what: str) -> tuple[str, str | None]:
        """A rate's part: a label (the form asks for it) or {ref: table.row} entered elsewhere."""
        value = node.get(key)
        if isinstance(value, dict):
            ref = str(value.get("ref", ""))
            if ref.count(".") not in (1, 2):
                raise self.fail(node, f"'{key}.ref' của {what} phải có dạng bảng.dòng")
            return str(value.get("label", ref)), ref
        if not isinstance(value, str) or not value.strip():
            raise self.fail(node, f"{what} thiếu '{key}' (tử số/mẫu số)")
        return value.strip(), None

    def check(self, node: Any) -> Check:
        node = self.mapping(node, _CHECK_KEYS, "quy tắc kiểm tra")
        ident = self.ident(node, "quy tắc kiểm tra")
        rule = self.text(node, "rule", f"quy tắc '{ident}'")
        op = next((o for o in _OPS if o in rule), None)
        left, _, right = rule.partition(op) if op else ("", "", "")
        terms = [[t.strip() for t in side.split("+")] for side in (left, right)]
        if op is None or not all(all(terms_) for terms_ in terms):
            raise self.fail(node, f"quy tắc '{ident}' phải có dạng 'a + b == c' hoặc 'a <= b'")
        severity = node.get("severity", "error")
        if severity not in ("error", "warning"):
            raise self.fail(node, f"'severity' của quy tắc '{ident}' phải là error hoặc warning")
        return Check(ident, tuple(terms[0]), op, tuple(terms[1]),
                     str(node.get("message", rule)), severity)

    def field(self, node: Any) -> Field:
        node = self.mapping(node, _FIELD_KEYS, "mục thuyết minh")
        ident = self.ident(node, "mục thuyết minh")
        label = self.text(node, "label", f"mục '{ident}'")
        return Field(ident, label, str(node.get("section", "")))

    def unique(self, ids: list[str], node: dict[str, Any], what: str) -> None:
        seen = {i for i in ids if ids.count(i) > 1}
        if seen:
            raise self.fail(node, f"mã trùng nhau trong {what}: {', '.join(sorted(seen))}")


def _read_yaml(path: Traversable) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"không đọc được tệp ({exc.strerror})", str(path)) from exc
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", dòng {mark.line + 1}" if mark else ""
        raise SpecError("sai cú pháp YAML", f"{path.name}{line}") from exc
    if not isinstance(data, dict):
        raise SpecError("tệp phải là một bảng khóa: giá trị", path.name)
    return data


def _merge_extends(data: dict[str, Any], path: Traversable) -> dict[str, Any]:
    """Apply ``extends``: the base spec with this one's keys and tables (by id) on top."""
    base_name = data.pop("extends")
    base = _read_yaml(_locate(str(base_name), path.parent if isinstance(path, Path) else None))
    if "extends" in base:
        base = _merge_extends(base, path)
    own_tables = {t.get("id"): t for t in data.pop("tables", []) or [] if isinstance(t, dict)}
    merged = {**base, **data}
    tables = [own_tables.pop(t.get("id"), t) for t in base.get("tables", [])]
    merged["tables"] = tables + list(own_tables.values())
    return merged


def _locate(name: str, near: Traversable | None = None) -> Traversable:
    """A spec given by path, by id beside the spec that extends it, or by id among the
    shipped specs (``thang-hanh-dong``)."""
    candidate = Path(name)
    if candidate.suffix in {".yaml", ".yml"} and candidate.exists():
        return candidate
    if near is not None and (near / f"{name}.yaml").is_file():
        return near / f"{name}.yaml"
    shipped = shipped_specs()
    if name in shipped:
        return shipped[name]
    raise SpecError(code="spec-unknown", found=name, expected=", ".join(shipped))


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
    checks = tuple(reader.check(c) for c in data.get("checks") or [])
    factor = data.get("change_factor")
    if factor is not None and (not isinstance(factor, (int, float)) or factor <= 1):
        raise reader.fail(data, f"'change_factor' phải là số lớn hơn 1 (tìm thấy {factor!r})")
    spec = FormSpec(
        id=reader.ident(data, "biểu mẫu"),
        version=version,
        title=reader.text(data, "title", "biểu mẫu"),
        short_title=str(data.get("short_title") or data["title"]),
        tables=tables,
        narrative=narrative,
        sections=sections,
        checks=checks,
        change_factor=factor,
        source=str(path),
    )
    _check_refs(spec, reader, data)
    return _label_refs(spec)


def _label_refs(spec: FormSpec) -> FormSpec:
    """A rate part entered elsewhere is shown by that element's label, not by its key."""
    tables = []
    for t in spec.tables:
        rows = []
        for row in t.explicit_rows:
            ind = row.indicator
            if ind is not None and ind.kind == "rate":
                ind = replace(
                    ind,
                    numerator=_ref_label(spec, ind.numerator_ref) or ind.numerator,
                    denominator=_ref_label(spec, ind.denominator_ref) or ind.denominator)
                row = replace(row, indicator=ind)
            rows.append(row)
        tables.append(replace(t, explicit_rows=tuple(rows)))
    return replace(spec, tables=tuple(tables))


def _ref_label(spec: FormSpec, ref: str | None) -> str | None:
    if ref is None:
        return None
    tbl, row, col = spec.resolve(ref)
    label = spec.label_of(tbl, row, col).lstrip("- ")
    return f"{label} (trang '{spec.table(tbl).sheet}')"


def _check_refs(spec: FormSpec, reader: _Reader, data: dict[str, Any]) -> None:
    """Every element a rule or a rate points at must exist: fail on load, not in a report."""
    refs = [(f"quy tắc '{c.id}'", r) for c in spec.checks for r in (*c.left, *c.right)]
    for t in spec.tables:
        for row in t.explicit_rows:
            ind = row.indicator
            if ind is not None:
                refs += [(f"chỉ tiêu '{row.id}'", r)
                         for r in (ind.numerator_ref, ind.denominator_ref) if r]
    for what, ref in refs:
        try:
            tbl, row, col = spec.resolve(ref)
            table = spec.table(tbl)
            table.row(row)
            next(c for c in table.columns if c.id == col)
        except (KeyError, StopIteration):
            raise reader.fail(
                data, f"{what} trỏ tới chỉ tiêu không có trong biểu mẫu: '{ref}'") from None


def available_forms() -> list[str]:
    return list(shipped_specs())
