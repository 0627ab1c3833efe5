"""Charts of a roll-up by child unit: a native Excel chart and the same picture as a PNG.

One picture, two renderings: the consolidated workbook gets a sheet "Biểu đồ" with the
figures behind the chart and native openpyxl bar charts (editable in Excel and
LibreOffice); the Word report gets a PNG drawn with matplotlib (Agg backend, DejaVu Sans
for the Vietnamese glyphs). Both show, per child unit (the districts of a province, the
communes of a district), the series the form's ``chart:`` declares (children reached,
money spent, …), from ``rollup.detail``: each child's own-level figures plus those of
its descendants, so the bars add up to the levels below the unit in its tables. A form
without ``chart:`` gets no chart.
"""

from __future__ import annotations

import io
import textwrap

import pandas as pd
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Alignment
from openpyxl.workbook import Workbook
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from consolidate.core.numbers import format_money, format_number
from consolidate.core.spec import Chart, ChartPanel, FormSpec
from consolidate.core.vocabulary import LEVELS, kinds_text
from consolidate.forms import style
from consolidate.rollup.compute import Rollup

CHART_SHEET = "Biểu đồ"


#: What a unit without any figure shows instead of a bar: never a bar of 0.
NO_DATA = "chưa có số liệu"

#: The tallest picture, in cm: an A4 page's text (297 - 2 × 20 mm) less the caption.
MAX_HEIGHT_CM = 22.0

#: Beyond this many units, those without figures are summed up in one line.
MAX_ROWS = 45

#: The workbook's charts: at most this many units a chart, each chart on a landscape page of
#: its own (the page's printable height, less the sheet's footer), so none runs across pages.
SHEET_CHART_UNITS = 30
SHEET_CHART_HEIGHT_CM = 16.0
SHEET_CHART_WIDTH_CM = 25.0
ROW_CM = 0.53  # a default row (15 pt), to place the next chart below the last


def chart_def(spec: FormSpec) -> Chart | None:
    """The form's declared chart; a form that declares none gets no picture (what is
    drawn is said in the form's YAML, never guessed from its columns)."""
    return spec.chart


def drawn_panels(definition: Chart, frame: pd.DataFrame) -> list[ChartPanel]:
    """The panels with at least one figure: an empty panel is never drawn (nor one whose
    series a frame already narrowed to the drawn panels no longer has)."""
    return [p for p in definition.panels
            if (frame.reindex(columns=[s.label for s in p.series]).fillna(0) > 0).any().any()]


def child_frame(rollup: Rollup) -> pd.DataFrame | None:
    """One row per child unit (roster order, index = name), one column per series.

    None when the unit has no units below it or the form has nothing to chart.
    """
    definition = chart_def(rollup.campaign.spec)
    roster = rollup.campaign.roster.subtree(rollup.unit.code)
    children = roster.children(rollup.unit.code)
    if definition is None or not children or rollup.detail is None:
        return None
    # each unit below, to the child whose block holds it: one grouped sum for all children
    # (a sum per child over the detail cost a second for the country's 63 provinces)
    block_of = {u.code: child.code for child in children
                for u in (child, *roster.descendants(child.code))}
    detail = rollup.detail.apply(pd.to_numeric, errors="coerce")
    sums = detail.groupby(detail.index.map(block_of)).sum(min_count=1)
    rows = {}
    for child in children:
        mine = sums.loc[child.code] if child.code in sums.index else pd.Series(dtype="float64")
        values = {}
        for panel in definition.panels:
            for series in panel.series:
                present = [k for k in series.elements if k in mine.index]
                values[series.label] = (mine[present].sum(min_count=1) if present
                                        else float("nan"))
        rows[child.name] = values
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "Đơn vị"
    panels = drawn_panels(definition, frame)
    if not panels:
        return None  # nothing to draw: no empty chart in a report
    return frame[[s.label for p in panels for s in p.series]]


def reported(frame: pd.DataFrame) -> pd.Series:
    """Per unit, whether it has any figure at all (a unit that has not reported has none)."""
    return frame.notna().any(axis=1)


def bar_texts(frame: pd.DataFrame, panel: ChartPanel) -> list[str]:
    """The text at the end of each unit's bar: its total, or :data:`NO_DATA`."""
    has = reported(frame)
    cols = [s.label for s in panel.series]
    scale = 1_000_000 if panel.money else 1
    return [format_number(frame.loc[name, cols].sum() / scale, 1 if panel.money else 0)
            if has[name] else NO_DATA for name in frame.index]


def summarised(frame: pd.DataFrame) -> pd.DataFrame:
    """With more than :data:`MAX_ROWS` units, those without figures become one line
    ("45 xã, phường khác"), which reads "chưa có số liệu" like each of them would."""
    has = reported(frame)
    if len(frame) <= MAX_ROWS or has.all():
        return frame
    missing = [str(name) for name in frame.index[~has]]
    rest = pd.DataFrame([[float("nan")] * len(frame.columns)], columns=frame.columns,
                        index=[f"{len(missing)} {kinds_text(missing)} khác"])
    return pd.concat([frame[has], rest])


def _summary(definition: Chart, frame: pd.DataFrame) -> str:
    """One clause per panel for the sheet's subtitle: "cộng 9.367 lượt trẻ em; kinh phí …"."""
    parts = []
    for panel in drawn_panels(definition, frame):
        total = frame[[s.label for s in panel.series]].sum().sum()
        parts.append(f"kinh phí {format_money(int(total))}" if panel.money
                     else f"cộng {format_number(total)} {panel.series[0].label.lower()}")
    return "; ".join(parts)


# ----------------------------------------------------------------------- Excel


def add_chart_sheet(wb: Workbook, rollup: Rollup) -> None:
    """Sheet "Biểu đồ": the figures by child unit and two native bar charts beside them."""
    frame = child_frame(rollup)
    if frame is None:
        return
    definition = chart_def(rollup.campaign.spec)
    assert definition is not None
    ws = wb.create_sheet(CHART_SHEET)
    unit = rollup.unit
    below = LEVELS[rollup.campaign.roster.children(unit.code)[0].level].plural
    ws["A1"] = definition.title.upper()
    ws["A1"].font = style.font(13, bold=True)
    ws["A2"] = (f"{unit.name} – {rollup.campaign.period_label} – theo đơn vị cấp {below} "
                f"({_summary(definition, frame)})")
    ws["A2"].font = style.font(12, italic=True)
    headers = ["Đơn vị", *frame.columns]
    head = 4
    for j, text in enumerate(headers, start=1):
        cell = ws.cell(row=head, column=j, value=text)
        cell.font = style.font(11, bold=True)
        cell.alignment = style.WRAP_CENTER
        cell.fill = style.HEADER_FILL
        cell.border = style.BOX
    ws.row_dimensions[head].height = 32
    ws.column_dimensions["A"].width = 30
    for j in range(2, len(headers) + 1):
        ws.column_dimensions[ws.cell(row=head, column=j).column_letter].width = 18
    has = reported(frame)
    frame = pd.concat([frame[has], frame[~has]])  # the charts draw the rows with figures
    for i, (name, values) in enumerate(frame.iterrows(), start=head + 1):
        ws.cell(row=i, column=1, value=name).font = style.font(11)
        ws.cell(row=i, column=1).border = style.BOX
        for j, v in enumerate(values, start=2):
            shown = (None if has[name] else NO_DATA) if pd.isna(v) else int(v)
            cell = ws.cell(row=i, column=j, value=shown)
            cell.number_format = style.NUMBER_FORMAT
            cell.font = style.font(11, italic=not has[name])
            cell.border = style.BOX
            cell.alignment = Alignment(horizontal="right")
    if not has.all():
        ws["A3"] = (f"{(~has).sum()} {kinds_text(frame.index[~has])} chưa có số liệu (cuối "
                    "bảng) không có thanh trong biểu đồ.")
        ws["A3"].font = style.font(11, italic=True)
    drawn = head + int(has.sum())
    anchor = head + len(frame) + 2
    for panel in drawn_panels(definition, frame):
        col = 2 + list(frame.columns).index(panel.series[0].label)
        for first in range(head + 1, drawn + 1, SHEET_CHART_UNITS):
            rows = (first, min(drawn, first + SHEET_CHART_UNITS - 1))
            anchor = _place_chart(ws, panel, rows, col, anchor,
                                  split=drawn - head > SHEET_CHART_UNITS)
    width = max(len(headers), 7)  # the charts are wider than a short table
    # no repeated header: it would stand alone above each chart's page
    style.print_setup(ws, f"A1:{_letter(width)}{anchor}", landscape=True, title_rows=None)


def _place_chart(ws: Worksheet, panel: ChartPanel, rows: tuple[int, int], col: int,
                 anchor: int, split: bool) -> int:
    """One chart of the units in table rows first..last on a page of its own from row
    ``anchor``; returns the first row after it. A chart of part of the units (``split``)
    says which in its title."""
    first, last = rows
    height = min(SHEET_CHART_HEIGHT_CM, max(7.5, 0.5 * (last - first + 1) + 3))
    chart = _bar_chart(panel, height)
    if split:
        chart.title = (f"{panel.title} ({ws.cell(row=first, column=1).value} – "
                       f"{ws.cell(row=last, column=1).value})")
    chart.add_data(Reference(ws, min_col=col, max_col=col + len(panel.series) - 1,
                             min_row=first, max_row=last))
    for series, spec in zip(chart.series, panel.series, strict=True):
        series.tx = SeriesLabel(v=spec.label)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    if anchor > 1:
        ws.row_breaks.append(Break(id=anchor - 1))
    ws.add_chart(chart, f"A{anchor}")
    return anchor + int(height / ROW_CM) + 2


def _letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def _bar_chart(panel: ChartPanel, height: float) -> BarChart:
    chart = BarChart()
    chart.type = "bar"  # horizontal bars: long unit names stay readable
    chart.title = panel.title
    chart.height, chart.width = height, SHEET_CHART_WIDTH_CM
    chart.legend = None if len(panel.series) == 1 else chart.legend
    if chart.legend is not None:
        chart.legend.position = "b"
    if len(panel.series) > 1:
        chart.grouping = "stacked"
        chart.overlap = 100
    else:
        # the value only: LibreOffice otherwise adds the unit's and the series' names
        chart.dataLabels = DataLabelList(showVal=True, showCatName=False, showSerName=False,
                                         showLegendKey=False, showPercent=False)
    chart.x_axis.scaling.orientation = "maxMin"  # first unit on top, as in the table
    chart.y_axis.number_format = "#,##0"
    chart.y_axis.majorGridlines = None
    # openpyxl 3.1 hides axes unless told otherwise
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    return chart


# ----------------------------------------------------------------------- PNG


def chart_png(rollup: Rollup, width_cm: float = 16.0) -> bytes | None:
    """The same picture for the Word report; None when there is nothing to draw.

    It always fits an A4 page: rows get thinner as units grow in number, and beyond
    :data:`MAX_ROWS` the units without figures are summed up in one line. A unit without
    figures reads "chưa có số liệu" where its bar would be, never a bar of 0.
    """
    frame = child_frame(rollup)
    definition = chart_def(rollup.campaign.spec)
    if frame is None or definition is None:
        return None
    frame = summarised(frame)
    panels = drawn_panels(definition, frame)
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    inch = 1 / 2.54
    n = len(frame)
    height = min(MAX_HEIGHT_CM * inch, 0.3 * n + 1.6)
    pitch_pt = (height - 1.6) / max(n, 1) * 72
    size = max(5.0, min(8.0, pitch_pt * 0.8))
    with matplotlib.rc_context({"font.family": "DejaVu Sans", "font.size": size,
                                "axes.titlesize": 9, "axes.titleweight": "bold"}):
        fig = Figure(figsize=(width_cm * inch, max(2.6, height)), dpi=200,
                     layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
        for ax, panel in zip(axes, panels, strict=True):
            _panel(ax, frame, panel, size)
        axes[0].set_yticks(range(n), list(frame.index))
        axes[0].invert_yaxis()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _panel(ax: object, frame: pd.DataFrame, panel: ChartPanel, size: float) -> None:
    """One bar chart: stacked series, each bar's total (or "chưa có số liệu") at its end."""
    from matplotlib.ticker import FuncFormatter

    colors = ["#2f5597", "#c55a11", "#7f7f7f"]
    scale = 1_000_000 if panel.money else 1
    n = len(frame)
    left = [0.0] * n
    for k, series in enumerate(panel.series):
        values = [0.0 if pd.isna(v) else float(v) / scale for v in frame[series.label]]
        ax.barh(range(n), values, left=left, color=colors[k % len(colors)],
                label=series.label, height=0.65)
        left = [a + b for a, b in zip(left, values, strict=True)]
    top = max(left) if any(left) else 1
    for i, (total, text) in enumerate(zip(left, bar_texts(frame, panel), strict=True)):
        missing = text == NO_DATA
        ax.text(total + top * 0.02, i, text, va="center", fontsize=size - 1,
                color="#7f7f7f" if missing else "black", style="italic" if missing else "normal")
    ax.set_xlim(0, top * 1.3)
    title = "Kinh phí (triệu đồng)" if panel.money else panel.title
    ax.set_title(textwrap.fill(title, 28))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: format_number(x)))
    ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if len(panel.series) > 1:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=len(panel.series),
                  fontsize=7, frameon=False)
