"""The form's tables as a template sees them: finished Word tables and figures by cell.

For every table of the form the template gets a :class:`TableView` (its number, title,
rows and the Word table itself) and, for tables with figures, four dictionaries keyed
``[table][row][column]``: the raw values, the same figures written for a sentence, the
comparison with the previous period and the previous period's values; plus, per
column, the split by level (``cấp huyện 200, cấp xã 22``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from consolidate.core.numbers import format_list_date
from consolidate.core.spec import PREVIOUS, RESULT, Indicator, Table
from consolidate.core.vocabulary import ROW_LEVEL, TOTAL_ROW_ID
from consolidate.core.workspace import Campaign
from consolidate.forms.layout import ROLLUP_LABELS
from consolidate.outputs.word.figures import (
    change_phrase,
    clean_text,
    figure_kind,
    sentence_figure,
    table_figure,
)
from consolidate.outputs.word.filters import plain, vn_number
from consolidate.outputs.word.word_table import Groups, WordXml
from consolidate.rollup.compute import Rollup

Cells = dict[str, dict[str, Any]]  # [row][column]


@dataclass
class TableView:
    """A table as templates see it: ``{{ t.sheet }}``, ``{{ t.title }}``, ``{{p t.table }}``."""

    id: str
    sheet: str
    title: str
    table: WordXml  # the Word table, for {{p t.table }}
    columns: list[dict[str, Any]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    summary: str = ""


@dataclass
class TableContext:
    """The context entries that come from the tables, each keyed by table id."""

    tables: dict[str, TableView] = field(default_factory=dict)
    values: dict[str, Cells] = field(default_factory=dict)
    figures: dict[str, Cells] = field(default_factory=dict)
    changes: dict[str, Cells] = field(default_factory=dict)
    by_level: dict[str, dict[str, str]] = field(default_factory=dict)
    previous: dict[str, Cells] | None = None  # None when there is no previous period


def table_context(rollup: Rollup, previous: Rollup | None) -> TableContext:
    """Every table of the form that the roll-up has, in the form's order."""
    campaign = rollup.campaign
    prev_period = previous.campaign.period_label if previous is not None else ""
    out = TableContext(previous={} if previous is not None else None)
    lists = getattr(rollup, "lists", None) or {}
    for table in campaign.spec.tables:
        frame = rollup.tables.get(table.id)
        if frame is None:
            if table.id in lists:
                out.tables[table.id] = list_table_view(table, lists[table.id])
            continue
        labels = row_labels(campaign, table)
        before_frame = previous.tables.get(table.id) if previous is not None else None
        values, figures, changes, before = _cells(table, frame, before_frame, prev_period)
        out.values[table.id], out.figures[table.id] = values, figures
        out.changes[table.id] = changes
        if out.previous is not None:
            out.previous[table.id] = before
        out.by_level[table.id] = _by_level(table, frame, labels)
        out.tables[table.id] = table_view(table, frame, labels)
    return out


def row_labels(campaign: Campaign, table: Table) -> dict[str, str]:
    """Row id -> label as the form prints it for this campaign's levels."""
    try:
        return {r.id: r.label for r in table.rows(campaign.levels)}
    except Exception:  # a table kind this module does not know: use the ids
        return {}


def _cells(table: Table, frame: pd.DataFrame, before_frame: pd.DataFrame | None,
           prev_period: str) -> tuple[Cells, Cells, Cells, Cells]:
    """Values, sentence figures, comparisons and previous values of one table."""
    values: Cells = {}
    figures: Cells = {}
    changes: Cells = {}
    before: Cells = {}
    for row in frame.index:
        values[row], figures[row], changes[row] = {}, {}, {}
        for col in frame.columns:
            value = plain(frame.at[row, col])
            kind = figure_kind(table, row, col)
            earlier = _value_at(before_frame, row, col)
            values[row][col] = value
            figures[row][col] = sentence_figure(value, kind)
            changes[row][col] = change_phrase(value, earlier, kind, prev_period)
            before.setdefault(row, {})[col] = earlier
    return values, figures, changes, before


def _value_at(frame: pd.DataFrame | None, row: str, col: str) -> Any:
    """The previous period's value of a cell, None where that period lacks it."""
    if frame is None or row not in frame.index or col not in frame.columns:
        return None
    return plain(frame.at[row, col])


def _by_level(table: Table, frame: pd.DataFrame, labels: dict[str, str]) -> dict[str, str]:
    """Per column, the non-zero level rows as a phrase: ``cấp huyện 200, cấp xã 22``."""
    level_rows = [r for r in frame.index if r in ROW_LEVEL]
    out = {}
    for col in frame.columns:
        parts = []
        for row in level_rows:
            v = plain(frame.at[row, col])
            if isinstance(v, (int, float)) and v:
                kind = figure_kind(table, row, col)
                parts.append(f"{labels.get(row, row).lower()} {sentence_figure(v, kind)}")
        out[col] = ", ".join(parts)
    return out


def _column_groups(table: Table, col_ids: list[str]) -> Groups:
    """The form's column groups restricted to the columns present, then any others alone."""
    groups: Groups = []
    for group, cols in table.groups():
        present = [c.id for c in cols if c.id in col_ids]
        if present:
            groups.append((group, present))
    known = {c for _, cs in groups for c in cs}
    return groups + [(None, [c]) for c in col_ids if c not in known]


def table_view(table: Table, frame: pd.DataFrame, labels: dict[str, str]) -> TableView:
    """A table of figures: one row per roll-up row, columns grouped as in the form."""
    groups = _column_groups(table, list(frame.columns))
    ordered = [c for _, cs in groups for c in cs]
    spec_cols = {c.id: c for c in table.columns}
    col_labels = {c: ROLLUP_LABELS.get(c) or (spec_cols[c].label if c in spec_cols else c)
                  for c in ordered}  # the consolidated workbook's headers
    indicators = {r.id: r.indicator for r in table.explicit_rows if r.indicator is not None}
    rows = [{"id": row, "label": labels.get(row, row), "is_total": row == TOTAL_ROW_ID,
             "cells": [_cell(frame.at[row, c], indicators.get(row), c) for c in ordered]}
            for row in frame.index]
    corner = "Cấp thực hiện" if table.has_level_rows else "Nội dung"
    word = WordXml.table(groups, col_labels, corner, rows)
    summary = ""
    if TOTAL_ROW_ID in frame.index:
        summary = "; ".join(
            f"{col_labels[c]}: {table_figure(frame.at[TOTAL_ROW_ID, c])}" for c in ordered)
    return TableView(table.id, table.sheet, table.title, word,
                     [{"id": c, "label": col_labels[c]} for c in ordered], rows, summary)


def _cell(value: Any, indicator: Indicator | None, column: str) -> str:
    """A table cell; an indicator's rate reads as in the text: ``50,00%``, ``12,50‰``."""
    value = plain(value)
    if indicator is not None and column in (RESULT, PREVIOUS) and isinstance(
            value, (int, float)):
        return f"{vn_number(value, 2)}{indicator.symbol}"
    return table_figure(value)


def _list_cell(value: Any, kind: str) -> str:
    """A list cell; a date as its header asks, dd/mm/yyyy."""
    value = plain(value)
    if kind == "date" and value is not None:
        try:
            return format_list_date(value)
        except ValueError:
            return clean_text(value) or "-"
    return table_figure(value)


def list_table_view(table: Table, frame: pd.DataFrame) -> TableView:
    """A list table (Phụ lục): numbered rows, each with the unit that reported it."""
    cols = [c for c in table.columns if c.id in frame.columns]
    groups: Groups = [(None, ["unit_name"])] + [(None, [c.id]) for c in cols]
    col_labels = {"unit_name": "Đơn vị", **{c.id: c.label for c in cols}}
    rows = [{"id": str(i), "label": str(i), "is_total": False,
             "cells": [clean_text(rec.get("unit_name")) or "-"]
             + [_list_cell(rec.get(c.id), c.kind) for c in cols]}
            for i, rec in enumerate(frame.to_dict("records"), start=1)]
    word = WordXml.table(groups, col_labels, "STT", rows, text_columns=True)
    return TableView(table.id, table.sheet, table.title, word,
                     [{"id": c, "label": col_labels[c]} for c in col_labels], rows)
