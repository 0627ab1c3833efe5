"""Roll up a unit's figures from its own submission and its descendants', with pandas.

The rules are DESIGN.md's, decided by each element's kind and by the level rows:

* rows for levels at or above the unit's level are the unit's own entries;
* the row of each level below is the sum of the own-level rows of the unit's
  descendants at that level (Cấp xã of a district = sum of its communes' Cấp xã);
* the total row is the sum of the level rows;
* a sum over nothing is "no figure" (``NaN``, printed "-"), never a silent 0.

When a unit sent a roll-up of its own (relay) and the detail below it is also
known, the detail wins and each difference with the unit's stated figures is
listed (đối chiếu số liệu).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .errors import Finding, finding
from .numbers import format_number
from .roster import Roster, Unit
from .spec import LEVEL_ORDER, LEVEL_ROW_IDS, NUMERIC_KINDS, TOTAL_ROW_ID, FormSpec
from .workspace import Campaign

ROW_LEVEL = {row: level for level, row in LEVEL_ROW_IDS.items()}


@dataclass
class Rollup:
    """Everything a consolidated report of one unit shows."""

    campaign: Campaign
    unit: Unit
    tables: dict[str, pd.DataFrame]  # per table: index row ids (total last), columns col ids
    detail: pd.DataFrame  # one row per descendant: own-level figures, columns "tbl.col"
    narrative: pd.DataFrame  # unit, field, text
    submissions: pd.DataFrame  # the submission that counts, per unit of the subtree
    mismatches: list[Finding] = field(default_factory=list)

    def value(self, table: str, row: str, column: str) -> float | None:
        """One figure of the roll-up; None where nobody reported anything."""
        v = self.tables[table].at[row, column]
        return None if pd.isna(v) else v


def _level_rank(level: str | None) -> int:
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else -1


def load_values(campaign: Campaign) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Current submissions and their cells, joined with each unit's level."""
    store = campaign.workspace.store
    subs = store.current_submissions(campaign.id)
    cells = store.cells_of(subs["id"].tolist())
    cells = cells.merge(subs[["id", "unit", "source"]], left_on="submission", right_on="id")
    levels = {u.code: u.level for u in campaign.roster.units()}
    cells["unit_level"] = cells["unit"].map(levels)
    cells["row_level"] = cells["row"].map(ROW_LEVEL)
    return subs, cells


def compute_rollup(campaign: Campaign, unit_code: str | None = None,
                   data: tuple[pd.DataFrame, pd.DataFrame] | None = None) -> Rollup:
    """The roll-up of one unit (default: the campaign's root)."""
    subs, cells = data if data is not None else load_values(campaign)
    roster = campaign.roster.subtree(unit_code or campaign.root)
    unit = roster.roots()[0]
    members = {u.code for u in roster.units()}
    below = members - {unit.code}
    cells = cells[cells["unit"].isin(members)]
    numeric = cells[cells["num"].notna()]
    own_level = numeric[numeric["row_level"] == numeric["unit_level"]]
    tables = _tables(campaign, unit, numeric, own_level[own_level["unit"].isin(below)])
    return Rollup(
        campaign=campaign, unit=unit, tables=tables,
        detail=_detail(campaign.spec, roster, own_level[own_level["unit"].isin(below)]),
        narrative=cells[cells["tbl"] == "narrative"][["unit", "row", "text"]]
        .rename(columns={"row": "field"}),
        submissions=subs[subs["unit"].isin(members)],
        mismatches=_mismatches(campaign, roster, own_level),
    )


def _tables(campaign: Campaign, unit: Unit, numeric: pd.DataFrame,
            descendants_own: pd.DataFrame) -> dict[str, pd.DataFrame]:
    rank = _level_rank(unit.level)
    mine = numeric[(numeric["unit"] == unit.code)
                   & (numeric["row_level"].map(_level_rank) <= rank)]
    lower = descendants_own[descendants_own["row_level"].map(_level_rank) > rank]
    summed = (pd.concat([mine, lower])
              .groupby(["tbl", "row", "col"])["num"].sum(min_count=1))
    out = {}
    for table in campaign.spec.tables:
        rows = [r.id for r in table.rows(campaign.levels)]
        frame = pd.DataFrame(index=rows, columns=[c.id for c in table.columns], dtype="float64")
        if table.id in summed.index.get_level_values(0):
            part = summed.loc[table.id].unstack("col")
            frame.update(part)
        level_rows = [r for r in rows if r != TOTAL_ROW_ID]
        if TOTAL_ROW_ID in rows:
            frame.loc[TOTAL_ROW_ID] = frame.loc[level_rows].sum(min_count=1)
        numeric_cols = [c.id for c in table.columns if c.kind in NUMERIC_KINDS]
        out[table.id] = frame[numeric_cols]
    return out


def _detail(spec: FormSpec, roster: Roster, own_level: pd.DataFrame) -> pd.DataFrame:
    """One row per descendant (pre-order), its own-level figures as 'tbl.col' columns."""
    columns = [f"{t}.{c}" for t, c in spec.numeric_elements]
    order = [u.code for u in roster.units()[1:]]
    if own_level.empty:
        wide = pd.DataFrame(index=order, columns=columns, dtype="float64")
    else:
        keyed = own_level.assign(key=own_level["tbl"] + "." + own_level["col"])
        wide = keyed.pivot_table(index="unit", columns="key", values="num", aggfunc="sum")
        wide = wide.reindex(index=order, columns=columns)
    wide.index.name = "unit"
    return wide


def _mismatches(campaign: Campaign, roster: Roster, own_level: pd.DataFrame) -> list[Finding]:
    """Compare each roll-up a unit sent with the sum of the detail that counts."""
    store = campaign.workspace.store
    rollups = store.rollup_submissions(campaign.id)
    rollups = rollups[rollups["unit"].isin({u.code for u in roster.units()})]
    if rollups.empty:
        return []
    stated = store.cells_of(rollups["id"].tolist()).merge(
        rollups[["id", "unit"]], left_on="submission", right_on="id")
    out: list[Finding] = []
    for code in rollups["unit"]:
        unit = roster[code]
        below = {u.code for u in roster.descendants(code)}
        rank = _level_rank(unit.level)
        computed = (own_level[own_level["unit"].isin(below)]
                    .groupby(["tbl", "row", "col"])["num"].sum(min_count=1))
        mine = stated[(stated["unit"] == code) & stated["num"].notna()
                      & (stated["row"].map(ROW_LEVEL).map(_level_rank) > rank)]
        said = mine.set_index(["tbl", "row", "col"])["num"]
        for key in sorted(set(said.index) | set(computed.index)):
            a, b = said.get(key), computed.get(key)
            a = None if a is None or pd.isna(a) else a
            b = None if b is None or pd.isna(b) else b
            if (a or 0) != (b or 0):
                out.append(_mismatch(campaign, unit, key, a, b))
    return out


def _mismatch(campaign: Campaign, unit: Unit, key: tuple[str, str, str],
              stated: float | None, computed: float | None) -> Finding:
    tbl, row, col = key
    table = campaign.spec.table(tbl)
    row_label = next((r.label for r in table.rows(campaign.levels) if r.id == row), row)
    col_label = next((c.label for c in table.columns if c.id == col), col)
    return finding(
        "rollup-mismatch", unit=unit.code, sheet=table.sheet,
        found=format_number(stated), expected=format_number(computed),
        label=f"{unit.name}, {table.sheet}, {row_label}, {col_label}",
    )
