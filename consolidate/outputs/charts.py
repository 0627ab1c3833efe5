"""Charts of a roll-up by child unit: a native Excel chart and the same picture as a PNG.

One picture, two renderings: the consolidated workbook gets a sheet "Biểu đồ" with the
figures behind the chart and native openpyxl bar charts (editable in Excel and
LibreOffice); the Word report gets a PNG drawn with matplotlib (Agg backend, DejaVu Sans
for the Vietnamese glyphs). Both show, per child unit (the districts of a province, the
communes of a district), the series the form's ``chart:`` declares (children reached,
money spent, …), from ``rollup.detail``: each child's own-level figures plus those of
its descendants, so the bars add up to the levels below the unit in its tables. A form
without ``chart:`` gets one derived from its columns.
"""

from __future__ import annotations

import io
import textwrap

import pandas as pd
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment
from openpyxl.workbook import Workbook

from consolidate.core.numbers import format_money, format_number
from consolidate.core.spec import Chart, ChartPanel, ChartSeries, FormSpec
from consolidate.core.vocabulary import LEVELS
from consolidate.forms import style
from consolidate.rollup.compute import Rollup

CHART_SHEET = "Biểu đồ"


def _strip_unit(label: str) -> str:
    return label.replace(" (đồng)", "").strip()


def _generic(spec: FormSpec) -> Chart | None:
    """For a form without ``chart:``: its first count column, and the money columns of its
    first table with money, so every form gets some picture."""
    counts = [(t, c) for t in spec.tables for c in t.columns if c.kind == "count"]
    money_table = next((t for t in spec.tables if any(c.kind == "money" for c in t.columns)),
                       None)
    if not counts or money_table is None:
        return None
    t, c = counts[0]
    money = tuple(ChartSeries(_strip_unit(m.label), (f"{money_table.id}.{m.id}",))
                  for m in money_table.columns if m.kind == "money")
    return Chart(spec.short_title,
                 (ChartPanel(c.label, (ChartSeries(c.label, (f"{t.id}.{c.id}",)),)),
                  ChartPanel(f"{money_table.title} (đồng)", money, money=True)))


def chart_def(spec: FormSpec) -> Chart | None:
    """The form's declared chart, else the one derived from its columns."""
    return spec.chart or _generic(spec)


def child_frame(rollup: Rollup) -> pd.DataFrame | None:
    """One row per child unit (roster order, index = name), one column per series.

    None when the unit has no units below it or the form has nothing to chart.
    """
    definition = chart_def(rollup.campaign.spec)
    roster = rollup.campaign.roster.subtree(rollup.unit.code)
    children = roster.children(rollup.unit.code)
    if definition is None or not children or rollup.detail is None:
        return None
    detail = rollup.detail
    rows = {}
    for child in children:
        block = [child.code] + [u.code for u in roster.descendants(child.code)]
        sums = detail.reindex(block).apply(pd.to_numeric, errors="coerce").sum(min_count=1)
        values = {}
        for panel in definition.panels:
            for series in panel.series:
                present = [k for k in series.elements if k in sums.index]
                values[series.label] = (sums[present].sum(min_count=1) if present
                                        else float("nan"))
        rows[child.name] = values
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "Đơn vị"
    if not (frame.fillna(0) > 0).any().any():
        return None  # nothing to draw: no empty chart in a report
    return frame


def _summary(definition: Chart, frame: pd.DataFrame) -> str:
    """One clause per panel for the sheet's subtitle: "cộng 9.367 lượt trẻ em; kinh phí …"."""
    parts = []
    for panel in definition.panels:
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
    for i, (name, values) in enumerate(frame.iterrows(), start=head + 1):
        ws.cell(row=i, column=1, value=name).font = style.font(11)
        ws.cell(row=i, column=1).border = style.BOX
        for j, v in enumerate(values, start=2):
            cell = ws.cell(row=i, column=j, value=None if pd.isna(v) else int(v))
            cell.number_format = style.NUMBER_FORMAT
            cell.font = style.font(11)
            cell.border = style.BOX
            cell.alignment = Alignment(horizontal="right")
    last = head + len(frame)
    height = max(7.5, 0.75 * len(frame) + 3)
    col = 2
    anchor_row = 2
    for panel in definition.panels:
        width = len(panel.series)
        chart = _bar_chart(panel, height)
        data = Reference(ws, min_col=col, max_col=col + width - 1, min_row=head, max_row=last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=head + 1, max_row=last))
        ws.add_chart(chart, f"{_letter(len(headers) + 2)}{anchor_row}")
        anchor_row += int(height * 2) + 2
        col += width
    style.print_setup(ws, f"A1:{_letter(len(headers) + 12)}{max(last, anchor_row)}",
                       landscape=True, title_rows=None)


def _letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def _bar_chart(panel: ChartPanel, height: float) -> BarChart:
    chart = BarChart()
    chart.type = "bar"  # horizontal bars: long unit names stay readable
    chart.title = panel.title
    chart.height, chart.width = height, 18
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
    """The same picture for the Word report; None when there is nothing to draw."""
    frame = child_frame(rollup)
    definition = chart_def(rollup.campaign.spec)
    if frame is None or definition is None:
        return None
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    n = len(frame)
    names = list(frame.index)
    inch = 1 / 2.54
    with matplotlib.rc_context({"font.family": "DejaVu Sans", "font.size": 8,
                                "axes.titlesize": 9, "axes.titleweight": "bold"}):
        fig = Figure(figsize=(width_cm * inch, max(2.6, 0.3 * n + 1.6)), dpi=200,
                     layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(1, len(definition.panels), sharey=True, squeeze=False)[0]
        colors = ["#2f5597", "#c55a11", "#7f7f7f"]
        for ax, panel in zip(axes, definition.panels, strict=True):
            scale = 1_000_000 if panel.money else 1
            left = [0.0] * n
            for k, series in enumerate(panel.series):
                values = [0.0 if pd.isna(v) else float(v) / scale for v in frame[series.label]]
                ax.barh(range(n), values, left=left, color=colors[k % len(colors)],
                        label=series.label, height=0.65)
                left = [a + b for a, b in zip(left, values, strict=True)]
            top = max(left) if any(left) else 1
            for i, total in enumerate(left):
                text = format_number(total, 1 if panel.money else 0)
                ax.text(total + top * 0.02, i, text, va="center", fontsize=7)
            ax.set_xlim(0, top * 1.22)
            title = "Kinh phí (triệu đồng)" if panel.money else panel.title
            ax.set_title(textwrap.fill(title, 28))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: format_number(x)))
            ax.grid(axis="x", color="#dddddd", linewidth=0.5)
            ax.set_axisbelow(True)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            if len(panel.series) > 1:
                ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=len(
                    panel.series), fontsize=7, frameon=False)
        axes[0].set_yticks(range(n), names)
        axes[0].invert_yaxis()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
