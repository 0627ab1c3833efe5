"""Form specs: the declarative description of what a unit fills in.

These are the typed, frozen objects every other step reads (tables, columns, rows,
indicators, checks, the chart) and the few rules that follow from them alone. They
are built and checked from YAML by :mod:`consolidate.core.specfile`; keeping that
reading apart lets the rest of the package depend on these objects without YAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

from consolidate.core.errors import ConsolidateError
from consolidate.core.vocabulary import LEVEL_ORDER, LEVELS, NATIONAL, TOTAL_ROW_ID

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

# Ids of the fixed columns of an indicator table (``INDICATOR_COLUMNS``): every step
# that computes or shows a rate names them through these, never by their literal key.
PREVIOUS = "nam_truoc"  # last year's result
TARGET = "ke_hoach"  # this year's plan, as the unit wrote it
NUMERATOR = "tu_so"
DENOMINATOR = "mau_so"
RESULT = "ket_qua"  # the rate; typed by the unit, recomputed by the roll-up
ANSWER = "co_khong"  # a share's yes/no answer
EVALUATION = "danh_gia"  # added by the roll-up only: Vượt / Đạt / Không đạt


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
    width: int | None = None  # characters; None: the kind's usual width


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
    Column(PREVIOUS, "Kết quả năm trước", "decimal"),
    Column(TARGET, "Kế hoạch năm nay (ví dụ < 12; ≥ 95)", "target"),
    Column(NUMERATOR, "Tử số", "count"),
    Column(DENOMINATOR, "Mẫu số", "count"),
    Column(RESULT, "Kết quả đơn vị tự tính", "decimal"),
    Column(ANSWER, "Có / Không", "yes_no"),
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
    national_row: bool = False  # a level table with a "Cấp trung ương" row when the tree has one

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
        rows = [Row(LEVELS[lv].row_id, LEVELS[lv].row_label, level=lv) for lv in levels
                if lv != NATIONAL or self.national_row]
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
    if column in (PREVIOUS, TARGET):
        return True  # every unit states its own previous result and its own plan
    if ind.kind == "share":
        return column == ANSWER and level == ind.level
    if column == RESULT:
        return True
    if column not in (NUMERATOR, DENOMINATOR):
        return False
    ref = ind.numerator_ref if column == NUMERATOR else ind.denominator_ref
    levels = row.entered_by or default
    return ref is None and (not levels or level in levels)


@dataclass(frozen=True, slots=True)
class Field:
    """A narrative answer (text the unit writes for the report)."""

    id: str
    label: str
    section: str = ""
    points: tuple[str, ...] = ()  # its sub-items in the outline ("a) Ngân sách Nhà nước")
    tables: tuple[str, ...] = ()  # ids of the tables the outline shows under it


@dataclass(frozen=True, slots=True)
class Check:
    """A cross-field rule: ``left`` (a sum of elements) compared with ``right``."""

    id: str
    left: tuple[str, ...]  # element refs "table.row" or "table.row.col"
    op: str  # == <= >= < >
    right: tuple[str, ...]
    message: str
    severity: str = "error"


@dataclass(frozen=True, slots=True)
class ChartSeries:
    """One bar series: the sum of some level-table elements ("table.column") per unit."""

    label: str
    elements: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ChartPanel:
    """One bar chart of the picture; amounts in đồng are drawn in triệu đồng."""

    title: str
    series: tuple[ChartSeries, ...]
    money: bool = False


@dataclass(frozen=True, slots=True)
class Chart:
    """The picture by child unit in the consolidated workbook and the Word report."""

    title: str
    panels: tuple[ChartPanel, ...]


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
    chart: Chart | None = None  # None: the outputs derive one from the columns
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
        """'tinh_hinh.tre_em' -> ('tinh_hinh', 'tre_em', 'so_lieu'): a single-column default.

        An indicator's part given by ``{ref: …}`` ('phu_luc_02.ct3_so_sinh.mau_so') is that
        element itself: a rule naming it reads the one cell the unit typed.
        """
        parts = ref.split(".")
        table = self.table(parts[0])
        if len(parts) == 2 and len(table.columns) == 1:
            return parts[0], parts[1], table.columns[0].id
        if len(parts) != 3:
            raise KeyError(ref)
        if table.kind == "indicators" and parts[2] in (NUMERATOR, DENOMINATOR):
            ind = table.row(parts[1]).indicator
            target = ind and (ind.numerator_ref if parts[2] == NUMERATOR else ind.denominator_ref)
            if target:
                return self.resolve(target)
        return parts[0], parts[1], parts[2]

    def has_element(self, ref: str) -> bool:
        """Whether 'table.row' or 'table.row.col' names a cell of an explicit row."""
        try:
            tbl, row, col = self.resolve(ref)
            table = self.table(tbl)
            table.row(row)
        except (KeyError, StopIteration):
            return False
        return any(c.id == col for c in table.columns)

    def label_of(self, tbl: str, row: str, col: str) -> str:
        table = self.table(tbl)
        if table.kind == "indicators" and col in (NUMERATOR, DENOMINATOR):
            ind = table.row(row).indicator
            part = ind and (ind.numerator if col == NUMERATOR else ind.denominator)
            if part:  # a rule on an indicator part names the part, as the form asks for it
                return part
        row_label = next((r.label for r in table.rows(list(LEVEL_ORDER)) if r.id == row), row)
        col_label = next((c.label for c in table.columns if c.id == col), col)
        return row_label if len(table.columns) == 1 else f"{row_label}, {col_label}"

    def with_ref_labels(self) -> FormSpec:
        """A rate part entered elsewhere is shown by that element's label, not by its key."""
        tables = []
        for t in self.tables:
            rows = []
            for row in t.explicit_rows:
                ind = row.indicator
                if ind is not None and ind.kind == "rate":
                    ind = replace(
                        ind,
                        numerator=self._ref_label(ind.numerator_ref) or ind.numerator,
                        denominator=self._ref_label(ind.denominator_ref) or ind.denominator)
                    row = replace(row, indicator=ind)
                rows.append(row)
            tables.append(replace(t, explicit_rows=tuple(rows)))
        return replace(self, tables=tuple(tables))

    def _ref_label(self, ref: str | None) -> str | None:
        if ref is None:
            return None
        tbl, row, col = self.resolve(ref)
        label = self.label_of(tbl, row, col).lstrip("- ")
        return f"{label} (trang '{self.table(tbl).sheet}')"
