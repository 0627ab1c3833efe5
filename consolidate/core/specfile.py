"""Reading form specs from YAML: line numbers, checks on load, ``extends:``.

A spec is YAML under ``forms/``. It is loaded into the frozen objects of
:mod:`consolidate.core.spec` and checked on load, so a typo in a spec fails at once
with the file and line it sits on rather than later as a wrong number in a report.
A spec may ``extends:`` another one and replace some of its tables by id: a province
declares its variant of a table in YAML alone.
"""

from __future__ import annotations

from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from consolidate.core.resources import shipped_specs
from consolidate.core.spec import (
    DENOMINATOR,
    DIRECTIONS,
    INDICATOR_COLUMNS,
    INDICATOR_KINDS,
    KINDS,
    NUMERATOR,
    TABLE_KINDS,
    Chart,
    ChartPanel,
    ChartSeries,
    Check,
    Column,
    Field,
    FormSpec,
    Indicator,
    Row,
    SpecError,
    Table,
)
from consolidate.core.vocabulary import LEVEL_ORDER


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every mapping under ``__line__``."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

_TOP_KEYS = {"id", "version", "title", "short_title", "tables", "narrative", "sections",
             "extends", "checks", "change_factor", "chart"}
_TABLE_KEYS = {"id", "sheet", "title", "rows", "groups", "columns", "total_label", "kind",
               "entered_by", "max_rows", "indicators", "national_row"}
_GROUP_KEYS = {"label", "columns"}
_COLUMN_KEYS = {"id", "label", "kind", "width"}
_ROW_KEYS = {"id", "label", "kind", "unit", "entered_by"}
_INDICATOR_KEYS = {"id", "label", "kind", "unit", "entered_by", "scale", "better", "numerator",
                   "denominator", "question", "level"}
_FIELD_KEYS = {"id", "label", "section", "points", "tables"}
_CHECK_KEYS = {"id", "rule", "message", "severity"}
_OPS = ("==", "<=", ">=", "<", ">")
_CHART_KEYS = {"title", "panels"}
_PANEL_KEYS = {"title", "money", "series"}
_SERIES_KEYS = {"label", "sum"}
_MAX_PANELS = 3  # side by side in the Word picture: more would not be readable
_WIDTHS = (4, 100)  # a column's width in characters, as Excel counts them


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
        what = f"cột '{ident}'"
        label = self.text(node, "label", what)
        return Column(ident, label, self.kind(node, what), group, self.width(node, what))

    def width(self, node: dict[str, Any], what: str) -> int | None:
        """A column's own width: long texts (a document's name) need more than their kind's."""
        value = node.get("width")
        low, high = _WIDTHS
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or not low <= value <= high):
            raise self.fail(node, f"'width' của {what} phải là số nguyên từ {low} đến {high} "
                            f"(số ký tự; tìm thấy {value!r})")
        return value

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
            self.parts_typed_once(rows, node, tid)
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
            national_row=self.flag(node, "national_row", tid) if kind == "levels" else False,
            **common,
        )

    def flag(self, node: dict[str, Any], key: str, tid: str) -> bool:
        """A yes/no key of a table (``national_row: true``); anything else is refused."""
        value = node.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(node, f"'{key}' của bảng '{tid}' phải là true hoặc false")
        return value

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

    def parts_typed_once(self, rows: tuple[Row, ...], node: dict[str, Any], tid: str) -> None:
        """A part several indicators share (live births for three mortality rates) is one
        element typed once: typed in each row, the rows could give three different totals."""
        typed: dict[str, list[str]] = {}
        for row in rows:
            ind = row.indicator
            assert ind is not None
            if ind.kind != "rate":
                continue
            for label, ref in ((ind.numerator, ind.numerator_ref),
                               (ind.denominator, ind.denominator_ref)):
                if ref is None:
                    typed.setdefault(label.casefold(), []).append(row.id)
        for label, ids in typed.items():
            if len(ids) > 1:
                raise self.fail(node, f"bảng chỉ tiêu '{tid}': '{label}' được nhập ở nhiều chỉ "
                                f"tiêu ({', '.join(ids)}); một số liệu dùng chung phải là một "
                                "dòng của bảng số liệu, nhập một lần, và các chỉ tiêu trỏ tới "
                                "nó bằng {ref: bảng.dòng}")

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
        points, tables = (node.get(k) or [] for k in ("points", "tables"))
        if not isinstance(points, list) or not isinstance(tables, list):
            raise self.fail(node, f"'points' và 'tables' của mục '{ident}' phải là danh sách")
        return Field(ident, label, str(node.get("section", "")),
                     tuple(str(p) for p in points), tuple(str(t) for t in tables))

    def chart(self, node: Any, tables: tuple[Table, ...]) -> Chart:
        """The picture by child unit: panels of bar series, each a sum of table elements."""
        node = self.mapping(node, _CHART_KEYS, "biểu đồ")
        title = self.text(node, "title", "biểu đồ")
        raw = node.get("panels")
        if not isinstance(raw, list) or not 1 <= len(raw) <= _MAX_PANELS:
            raise self.fail(node, f"'panels' của biểu đồ phải là danh sách từ 1 đến "
                            f"{_MAX_PANELS} biểu đồ con")
        panels = tuple(self.panel(p, tables) for p in raw)
        labels = [s.label for p in panels for s in p.series]
        if len(set(labels)) < len(labels):  # each heads a column of the chart's sheet
            twice = sorted({x for x in labels if labels.count(x) > 1})
            raise self.fail(node, f"tên chuỗi số liệu của biểu đồ bị trùng: {', '.join(twice)}")
        return Chart(title, panels)

    def panel(self, node: Any, tables: tuple[Table, ...]) -> ChartPanel:
        node = self.mapping(node, _PANEL_KEYS, "biểu đồ con")
        title = self.text(node, "title", "biểu đồ con")
        money = node.get("money", False)
        if not isinstance(money, bool):
            raise self.fail(node, f"'money' của biểu đồ con '{title}' phải là true hoặc false")
        raw = node.get("series")
        if not isinstance(raw, list) or not raw:
            raise self.fail(node, f"biểu đồ con '{title}' thiếu 'series' (danh sách chuỗi số liệu)")
        return ChartPanel(title, tuple(self.series(s, tables, money) for s in raw), money)

    def series(self, node: Any, tables: tuple[Table, ...], money: bool) -> ChartSeries:
        node = self.mapping(node, _SERIES_KEYS, "chuỗi số liệu của biểu đồ")
        label = self.text(node, "label", "chuỗi số liệu của biểu đồ")
        raw = node.get("sum")
        refs = [raw] if isinstance(raw, str) else raw
        what = f"chuỗi '{label}' của biểu đồ"
        if not isinstance(refs, list) or not refs or not all(isinstance(r, str) for r in refs):
            raise self.fail(node, f"{what} thiếu 'sum' (danh sách bảng.cột được cộng)")
        for ref in refs:
            self.chart_element(node, ref.strip(), tables, money, what)
        return ChartSeries(label, tuple(r.strip() for r in refs))

    def chart_element(self, node: dict[str, Any], ref: str, tables: tuple[Table, ...],
                      money: bool, what: str) -> None:
        """Only a level table's counts or amounts are known per unit below: those are drawn,
        money and counts never in the same bars."""
        tid, _, cid = ref.partition(".")
        table = next((t for t in tables if t.id == tid), None)
        column = next((c for c in table.columns if c.id == cid), None) if table else None
        if table is None or column is None:
            raise self.fail(node, f"{what} trỏ tới chỉ tiêu không có trong biểu mẫu: '{ref}' "
                            "(dạng bảng.cột)")
        if table.kind != "levels" or column.kind != ("money" if money else "count"):
            expected = "kinh phí (money)" if money else "số lượng (count)"
            raise self.fail(node, f"{what}: '{ref}' phải là cột {expected} của một bảng "
                            "theo cấp (rows: levels)")

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
    base.pop("chart", None)  # it draws from tables a variant may replace: declared anew or derived
    merged = {**base, **data}
    tables = [own_tables.pop(t.get("id"), t) for t in base.get("tables", [])]
    merged["tables"] = tables + list(own_tables.values())
    return merged


def _locate(name: str, near: Traversable | None = None) -> Traversable:
    """A spec given by path, by id beside the spec that extends it, or by id among the
    shipped specs (by the file's name without ``.yaml``)."""
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
    tables = _tables(reader, data)
    spec = FormSpec(
        id=reader.ident(data, "biểu mẫu"),
        version=_version(reader, data),
        title=reader.text(data, "title", "biểu mẫu"),
        short_title=str(data.get("short_title") or data["title"]),
        tables=tables,
        narrative=tuple(reader.field(f) for f in data.get("narrative") or []),
        sections={str(k): str(v) for k, v in (data.get("sections") or {}).items()
                  if k != "__line__"},
        checks=tuple(reader.check(c) for c in data.get("checks") or []),
        change_factor=_change_factor(reader, data),
        chart=reader.chart(data["chart"], tables) if data.get("chart") is not None else None,
        source=str(path),
    )
    _check_refs(spec, reader, data)
    _check_outline_tables(spec, reader, data)
    return spec.with_ref_labels()


def _check_outline_tables(spec: FormSpec, reader: _Reader, data: dict[str, Any]) -> None:
    """A narrative item's ``tables`` (shown under it in the request letter) must exist."""
    known = {t.id for t in spec.tables}
    for item in spec.narrative:
        unknown = [t for t in item.tables if t not in known]
        if unknown:
            raise reader.fail(data, f"mục thuyết minh '{item.id}' nhắc tới bảng không có: "
                                    f"{', '.join(unknown)}")


def _tables(reader: _Reader, data: dict[str, Any]) -> tuple[Table, ...]:
    tables = tuple(reader.table(t) for t in data.get("tables") or [])
    if not tables:
        raise reader.fail(data, "biểu mẫu không có bảng nào")
    reader.unique([t.id for t in tables], data, "các bảng")
    reader.unique([t.sheet for t in tables], data, "tên trang tính")
    return tables


def _version(reader: _Reader, data: dict[str, Any]) -> int:
    version = data.get("version", 1)
    if not isinstance(version, int) or version < 1:
        raise reader.fail(data, f"'version' phải là số nguyên dương (tìm thấy {version!r})")
    return version


def _change_factor(reader: _Reader, data: dict[str, Any]) -> float | None:
    factor = data.get("change_factor")
    if factor is not None and (not isinstance(factor, (int, float)) or factor <= 1):
        raise reader.fail(data, f"'change_factor' phải là số lớn hơn 1 (tìm thấy {factor!r})")
    return factor


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
        if not spec.has_element(ref):
            raise reader.fail(data, f"{what} trỏ tới chỉ tiêu không có trong biểu mẫu: '{ref}'")
    for check in spec.checks:
        for ref in (*check.left, *check.right):
            tbl, _, col = ref.split(".") if ref.count(".") == 2 else (ref.split(".")[0], "", "")
            if spec.table(tbl).kind == "indicators" and col not in (NUMERATOR, DENOMINATOR):
                raise reader.fail(data, f"quy tắc '{check.id}': '{ref}' phải là tử số "
                                  f"({NUMERATOR}) hoặc mẫu số ({DENOMINATOR}) của một chỉ tiêu")
