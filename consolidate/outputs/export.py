"""One tidy table of every accepted figure: one row per figure, every label beside its id.

An analyst compares years and units in pandas, DuckDB or a pivot table without this
package: each row carries the campaign (form, period), the unit with the codes and
names of every level above it (one column pair per level, ``province_code`` …
``commune_code``: a pivot filters or groups by any level without parsing a path), the
element (table, row, column: ids for programs, labels for people), the figure
(``value`` for a number, ``text`` for words, dates and targets as written), its unit of
measure, and where it came from (file, sheet, cell, when received, and how: the unit's
own form, its consolidated workbook, or relayed through another unit's).

The frames are built with pandas from the store's rows (no loop over cells); writing
them (CSV for Excel, Parquet for programs) is :mod:`consolidate.outputs.exportfile`.
README.md ("Xuất dữ liệu") documents the columns.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from consolidate.core.roster import Roster
from consolidate.core.spec import EVALUATION, Table
from consolidate.core.vocabulary import LEVEL_ORDER, LEVELS
from consolidate.core.workspace import Campaign
from consolidate.forms.layout import NARRATIVE_SHEET
from consolidate.outputs.sources import SOURCE_NAMES
from consolidate.rollup.compute import Rollup

#: ``source`` of a roll-up's figure: computed by consolidate, not read from a file.
COMPUTED = "computed"
SOURCE_LABELS = {**SOURCE_NAMES, COMPUTED: "Tổng hợp"}

#: Columns in order; ``{level}_code`` / ``{level}_name`` come after ``parent_code``.
HEAD = ["campaign", "form", "form_title", "period", "period_label", "unit_code", "unit_name",
        "level", "level_name", "parent_code"]
LEVEL_COLUMNS = [f"{lv}_{part}" for lv in LEVEL_ORDER for part in ("code", "name")]
TAIL = ["table", "table_title", "row", "row_label", "column", "column_label", "kind",
        "value", "text", "unit_of_measure", "source", "source_name", "via_code", "via_name",
        "file_name", "file_sha256", "sheet", "cell", "received_at", "counted"]
COLUMNS = [*HEAD, *LEVEL_COLUMNS, *TAIL]
KEY = ["tbl", "row", "col"]


def figures(campaign: Campaign, submissions: pd.DataFrame, cells: pd.DataFrame,
            unit: str | None = None) -> pd.DataFrame:
    """Every cell of ``submissions`` (the store's rows with ``file_name``; ``counted`` says
    whether the submission is the one that counts) as tidy rows; ``unit`` limits them to
    that unit's subtree."""
    subs = submissions
    if unit is not None:
        members = {u.code for u in campaign.roster.subtree(unit).units()}
        subs = subs[subs["unit"].isin(members)]
    if "counted" not in subs:
        subs = subs.assign(counted=True)
    keep = ["id", "unit", "sha256", "file_name", "received_at", "source", "via", "counted"]
    rows = cells.merge(subs[keep], left_on="submission", right_on="id")
    rows = rows.rename(columns={"sha256": "file_sha256", "via": "via_code"})
    rows["num"] = pd.to_numeric(rows["num"], errors="coerce")
    rows["received_at"] = local_time(rows["received_at"])
    rows["source_name"] = rows["source"].map(SOURCE_LABELS).fillna(rows["source"])
    return _shape(campaign, rows)


def rollup_figures(roll: Rollup) -> pd.DataFrame:
    """A unit's roll-up in the same shape: each figure of its consolidated tables (total
    rows included), source "Tổng hợp", no file. List tables and narratives are each unit's
    own and are in :func:`figures`."""
    parts = [_rollup_table(table, frame) for table, frame in
             ((roll.campaign.spec.table(t), f) for t, f in roll.tables.items())]
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=[*KEY, "num", "text"])
    typed = pd.Series(roll.values, dtype="float64")  # a target's number beside its text
    if len(typed) and len(rows):
        keys = pd.MultiIndex.from_frame(rows[KEY])
        rows["num"] = rows["num"].fillna(pd.Series(typed.reindex(keys).to_numpy(),
                                                   index=rows.index))
    rows = rows.assign(unit=roll.unit.code, source=COMPUTED, source_name=SOURCE_LABELS[COMPUTED],
                       via_code=None, file_name=None, file_sha256=None, sheet=None, cell=None,
                       received_at=pd.NaT, counted=True)
    return _shape(roll.campaign, rows)


def _rollup_table(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """One consolidated table, long: numbers in ``num``, words (targets, evaluations,
    "8/8") in ``text``; cells without a figure are left out."""
    long = frame.rename_axis(index="row", columns="col").stack(future_stack=True)
    long = long[long.notna()].reset_index(name="v")
    numeric = pd.to_numeric(long["v"], errors="coerce")
    is_number = long["v"].map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
    long["num"] = numeric.where(is_number)
    long["text"] = long["v"].where(~is_number).astype(object)
    long["tbl"] = table.id
    return long[[*KEY, "num", "text"]]


def _shape(campaign: Campaign, rows: pd.DataFrame) -> pd.DataFrame:
    """Join the rows (store columns: tbl, row, col, num, text, unit …) with their campaign,
    unit and element, and order the columns as :data:`COLUMNS`."""
    rows = rows.merge(units_frame(campaign), left_on="unit", right_on="unit_code", how="left")
    rows = rows.merge(elements_frame(campaign), on=KEY, how="left")
    rows["via_name"] = rows["via_code"].map(_names(campaign))
    rows = rows.rename(columns={"tbl": "table", "col": "column", "num": "value"})
    for name, value in _campaign_columns(campaign).items():
        rows[name] = value
    rows["text"] = rows["text"].astype(object).where(rows["text"].notna(), None)
    out = rows.reindex(columns=COLUMNS)
    out["value"] = out["value"].astype("float64")
    out["counted"] = out["counted"].astype(bool)
    return out


def _campaign_columns(campaign: Campaign) -> dict[str, Any]:
    return {"campaign": campaign.id, "form": campaign.form_id, "form_title": campaign.spec.title,
            "period": campaign.period, "period_label": campaign.period_label}


def units_frame(campaign: Campaign) -> pd.DataFrame:
    """One row per unit of the campaign: its level, parent, and the code and name of itself
    and every unit above it by level, up to the top of the whole tree (not only the
    campaign's root), built in one pass over the tree in pre-order."""
    full = campaign.workspace.full_roster(campaign.roster_choice)
    chains: dict[str, dict[str, str]] = {}
    records = []
    for unit in _with_ancestors(full, campaign.root):
        chain = {**chains.get(unit.parent or "", {}), f"{unit.level}_code": unit.code,
                 f"{unit.level}_name": unit.name}
        chains[unit.code] = chain
        records.append({"unit_code": unit.code, "unit_name": unit.name, "level": unit.level,
                        "level_name": LEVELS[unit.level].row_label if unit.level in LEVELS
                        else unit.level, "parent_code": unit.parent, **chain})
    frame = pd.DataFrame.from_records(records)
    return frame.reindex(columns=["unit_code", "unit_name", "level", "level_name",
                                  "parent_code", *LEVEL_COLUMNS])


def _with_ancestors(full: Roster, root: str) -> list[Any]:
    """The campaign root's ancestors top first, then its subtree in pre-order."""
    return [*reversed(full.ancestors(root)), full[root], *full.descendants(root)]


def _names(campaign: Campaign) -> dict[str, str]:
    return {u.code: u.name for u in campaign.roster.units()}


def elements_frame(campaign: Campaign) -> pd.DataFrame:
    """One row per element the form can hold: table, row and column with their labels,
    kind and unit of measure (the row's ĐVT, else đồng for money, ‰ or % for rates)."""
    records = []
    for table in campaign.spec.tables:
        for row in table.rows(campaign.levels):
            for column in table.columns:
                kind = table.kind_of(row, column)
                records.append({"tbl": table.id, "row": row.id, "col": column.id,
                                "table_title": table.title, "row_label": row.label,
                                "column_label": column.label, "kind": kind,
                                "unit_of_measure": _measure(row, column.id, kind)})
            if table.kind == "indicators":
                records.append({"tbl": table.id, "row": row.id, "col": EVALUATION,
                                "table_title": table.title, "row_label": row.label,
                                "column_label": "Đánh giá", "kind": "text",
                                "unit_of_measure": ""})
    for item in campaign.spec.narrative:
        records.append({"tbl": "narrative", "row": item.id, "col": "text",
                        "table_title": NARRATIVE_SHEET, "row_label": item.label,
                        "column_label": "Nội dung", "kind": "text", "unit_of_measure": ""})
    return pd.DataFrame.from_records(records)


def _measure(row: Any, column: str, kind: str) -> str:
    if row.unit:
        return str(row.unit)
    if kind == "money":
        return "đồng"
    if row.indicator is not None and column in ("nam_truoc", "ke_hoach", "ket_qua"):
        return str(row.indicator.symbol)
    return ""


def local_time(values: pd.Series) -> pd.Series:
    """Stored ISO times ('2024-07-01T09:00:00+07:00') as the office's wall-clock time
    (the offset dropped: one office, one clock), a datetime column Excel reads as dates."""
    text = values.astype("string").str.slice(0, 19)
    return pd.to_datetime(text, format="%Y-%m-%dT%H:%M:%S", errors="coerce")
