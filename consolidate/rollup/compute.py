"""Roll up a unit's figures from its own submission and its descendants', with pandas.

The rules are DESIGN.md's, decided by each table's and element's kind:

* level tables: rows for levels at or above the unit's level are its own entries;
  the row of each level below is the sum of the own-level rows of its descendants
  at that level; the total row is the sum of the level rows;
* field tables (counts by row): the sum over the unit and all its descendants; the
  spec's ``entered_by`` keeps each figure entered at one level only;
* rates: recomputed at every level from the summed numerator and denominator,
  never an average of rates; shares of units: units answering "Có" over units
  answering; targets: the unit's own; previous year: the previous campaign's
  roll-up when the workspace holds it, else what the unit typed;
* lists: concatenated, each row tagged with its unit; text: collected per unit;
* a sum over nothing is "no figure" (NaN, printed "-"), never a silent 0.

When a unit sent a roll-up of its own (relay) and the detail below it is also
known, the detail wins and each difference with the unit's stated figures is
listed (đối chiếu số liệu). The spec's cross-field checks run on the roll-up too, and
each result a unit typed is compared with the rate recomputed from the figures below it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from consolidate.core.errors import Finding, finding
from consolidate.core.numbers import format_number
from consolidate.core.roster import Roster, Unit
from consolidate.core.spec import (
    ANSWER,
    DENOMINATOR,
    EVALUATION,
    NUMERATOR,
    NUMERIC_KINDS,
    PREVIOUS,
    RESULT,
    TARGET,
    FormSpec,
    Table,
)
from consolidate.core.vocabulary import ROW_LEVEL, TOTAL_ROW_ID, level_rank
from consolidate.core.workspace import Campaign
from consolidate.rollup.checks import changes, indicator_parts, run_checks, typed_rates
from consolidate.rollup.indicators import evaluate, parse_target, rate

Key = tuple[str, str, str]


@dataclass
class Rollup:
    """Everything a consolidated report of one unit shows."""

    campaign: Campaign
    unit: Unit
    tables: dict[str, pd.DataFrame]  # per table: index row ids, columns column ids
    lists: dict[str, pd.DataFrame]  # per list table: unit, unit_name and the columns
    detail: pd.DataFrame  # one row per descendant: own-level figures, columns "tbl.col"
    narrative: pd.DataFrame  # unit, field, text
    submissions: pd.DataFrame  # the submission that counts, per unit of the subtree
    cells: pd.DataFrame  # every counted cell of the subtree, with its unit
    values: dict[Key, float] = field(default_factory=dict)
    previous: dict[Key, float] | None = None  # the same unit's values a period earlier
    mismatches: list[Finding] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # checks on the roll-up

    def value(self, table: str, row: str, column: str) -> float | str | None:
        """One figure of the roll-up; None where nobody reported anything."""
        v = self.tables[table].at[row, column]
        return None if v is None or (isinstance(v, float) and pd.isna(v)) else v


@dataclass(frozen=True)
class RollupData:
    """What every roll-up of a campaign reads, loaded once (``prepare``) for all its units.

    ``cells`` are the cells of the submissions that count, joined with each unit's level
    and each table's kind; ``stated`` are the figures the units' own roll-ups state
    (relay), to reconcile with the detail.
    """

    submissions: pd.DataFrame
    cells: pd.DataFrame
    stated: pd.DataFrame


def prepare(campaign: Campaign, submissions: pd.DataFrame, cells: pd.DataFrame,
            stated: pd.DataFrame) -> RollupData:
    """Join the store's rows with what the roster and the spec say about them."""
    cells = cells.merge(submissions[["id", "unit", "source"]], left_on="submission",
                        right_on="id")
    levels = {u.code: u.level for u in campaign.roster.units()}
    cells["unit_level"] = cells["unit"].map(levels)
    cells["row_level"] = cells["row"].map(ROW_LEVEL)
    kinds = {t.id: t.kind for t in campaign.spec.tables}
    cells["kind"] = cells["tbl"].map(kinds)
    cells["num"] = pd.to_numeric(cells["num"], errors="coerce")
    return RollupData(submissions, cells, stated)


def compute_rollup(campaign: Campaign, data: RollupData, unit_code: str | None = None,
                   previous: dict[Key, float] | None = None) -> Rollup:
    """The roll-up of one unit (default: the campaign's root) from the campaign's data;
    ``previous`` is the same unit's values a period earlier, when there is one."""
    roster = campaign.roster.subtree(unit_code or campaign.root)
    unit = roster.roots()[0]
    members = {u.code for u in roster.units()}
    cells = of_units(data.cells, members)
    values = unit_values(campaign, roster, unit, cells, previous)
    own_level = _own_level(cells)
    below = own_level[own_level["unit"] != unit.code]
    rollup = Rollup(
        campaign=campaign, unit=unit,
        tables=_tables(campaign, unit, values, cells),
        lists=_lists(campaign.spec, roster, cells),
        detail=_detail(campaign.spec, roster, below),
        narrative=cells[cells["tbl"] == "narrative"][["unit", "row", "text"]]
        .rename(columns={"row": "field"}),
        submissions=of_units(data.submissions, members),
        cells=cells, values=values, previous=previous,
    )
    rollup.mismatches = _mismatches(campaign, roster, cells, data.stated)
    rollup.findings = _checks(campaign, roster, cells, values, previous)
    rollup.findings += _unit_checks(campaign, roster, cells, data.stated)
    return rollup


def of_units(frame: pd.DataFrame, codes: set[str], column: str = "unit") -> pd.DataFrame:
    """The rows of ``frame`` whose ``column`` is one of ``codes``: a set lookup per row,
    where pandas' ``isin`` on Arrow-backed strings builds one scalar per code (60 ms a call
    for a country's 10,794 codes)."""
    return frame[np.fromiter((c in codes for c in frame[column].tolist()), dtype=bool,
                             count=len(frame))]


def _own_level(cells: pd.DataFrame) -> pd.DataFrame:
    numeric = cells[cells["num"].notna() & (cells["kind"] == "levels")]
    return numeric[numeric["row_level"] == numeric["unit_level"]]


def unit_values(campaign: Campaign, roster: Roster, unit: Unit, cells: pd.DataFrame,
                previous: dict[Key, float] | None = None) -> dict[Key, float]:
    """Every numeric figure of a unit's roll-up, keyed (table, row, column)."""
    spec = campaign.spec
    members = {unit.code} | {u.code for u in roster.descendants(unit.code)}
    cells = of_units(cells, members)
    numeric = cells[cells["num"].notna()]
    rank = level_rank(unit.level)
    levels = numeric[numeric["kind"] == "levels"]
    mine = levels[(levels["unit"] == unit.code) & (levels["row_level"].map(level_rank) <= rank)]
    own_level = levels[(levels["row_level"] == levels["unit_level"])
                       & (levels["row_level"].map(level_rank) > rank)]
    summed = numeric[(numeric["kind"] == "fields") | (
        (numeric["kind"] == "indicators") & numeric["col"].isin([NUMERATOR, DENOMINATOR]))]
    values: dict[Key, float] = {}
    for frame in (pd.concat([mine, own_level]), summed):
        grouped = frame.groupby(["tbl", "row", "col"])["num"].sum(min_count=1)
        values.update({k: v for k, v in grouped.items() if pd.notna(v)})
    for table in spec.tables:
        if table.kind == "levels":
            _level_totals(table, campaign.levels, values)
        elif table.kind == "indicators":
            _indicators(spec, table, unit, cells, values, previous)
    return values


def _level_totals(table: Table, levels: list[str], values: dict[Key, float]) -> None:
    rows = [r.id for r in table.rows(levels) if not r.is_total]
    for column in table.columns:
        parts = [values[(table.id, r, column.id)] for r in rows
                 if (table.id, r, column.id) in values]
        if parts:
            values[(table.id, TOTAL_ROW_ID, column.id)] = sum(parts)


def _indicators(spec: FormSpec, table: Table, unit: Unit, cells: pd.DataFrame,
                values: dict[Key, float], previous: dict[Key, float] | None) -> None:
    answers = cells[(cells["tbl"] == table.id) & (cells["col"] == ANSWER)
                    & cells["num"].notna()]
    own = cells[(cells["unit"] == unit.code) & (cells["tbl"] == table.id)]
    typed = {(r.row, r.col): r.num for r in own.itertuples() if pd.notna(r.num)}
    for row in table.explicit_rows:
        ind = row.indicator
        assert ind is not None
        key = (table.id, row.id)
        if ind.kind == "share":
            mine = answers[answers["row"] == row.id]["num"]
            if len(mine):
                values[(*key, NUMERATOR)] = float(mine.sum())
                values[(*key, DENOMINATOR)] = float(len(mine))
        num, den = indicator_parts(spec, table.id, row.id, values)
        values[(*key, NUMERATOR)], values[(*key, DENOMINATOR)] = num, den
        result = rate(num, den, ind.scale)
        if result is not None:
            values[(*key, RESULT)] = result
        before = (previous or {}).get((*key, RESULT), typed.get((row.id, PREVIOUS)))
        if before is not None:
            values[(*key, PREVIOUS)] = before
        if (row.id, TARGET) in typed:
            values[(*key, TARGET)] = typed[(row.id, TARGET)]
    for k in [k for k, v in values.items() if v is None]:
        del values[k]


def _tables(campaign: Campaign, unit: Unit, values: dict[Key, float],
            cells: pd.DataFrame) -> dict[str, pd.DataFrame]:
    out = {}
    for table in campaign.spec.tables:
        if table.kind == "list":
            continue
        rows = [r.id for r in table.rows(campaign.levels)]
        cols = [c.id for c in table.columns]
        frame = pd.DataFrame(
            [[values.get((table.id, r, c)) for c in cols] for r in rows],
            index=rows, columns=cols, dtype="object" if table.kind == "indicators" else "float64",
        )
        if table.kind == "indicators":
            frame = _indicator_frame(table, unit, frame, cells)
        else:
            frame = frame[[c.id for c in table.columns if c.kind in NUMERIC_KINDS]]
        out[table.id] = frame
    return out


def _indicator_frame(table: Table, unit: Unit, frame: pd.DataFrame,
                     cells: pd.DataFrame) -> pd.DataFrame:
    """Targets as the unit wrote them, evaluations, and shares shown as '8/8'."""
    own = cells[(cells["unit"] == unit.code) & (cells["tbl"] == table.id)
                & (cells["col"] == TARGET)]
    targets = dict(zip(own["row"], own["text"], strict=True))
    frame[TARGET] = [targets.get(r) for r in frame.index]
    frame[EVALUATION] = None
    frame[ANSWER] = None
    for row in table.explicit_rows:
        ind = row.indicator
        assert ind is not None
        target = parse_target(targets[row.id]) if targets.get(row.id) else None
        frame.at[row.id, EVALUATION] = evaluate(frame.at[row.id, RESULT], target, ind.better)
        if ind.kind == "share" and frame.at[row.id, DENOMINATOR] is not None:
            yes, answered = frame.at[row.id, NUMERATOR], frame.at[row.id, DENOMINATOR]
            frame.at[row.id, ANSWER] = f"{format_number(yes)}/{format_number(answered)}"
    return frame


def _lists(spec: FormSpec, roster: Roster, cells: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """List rows concatenated in roster order, each tagged with its unit."""
    order = {u.code: i for i, u in enumerate(roster.units())}
    out = {}
    for table in spec.tables:
        if table.kind != "list":
            continue
        part = cells[cells["tbl"] == table.id]
        cols = [c.id for c in table.columns]
        if part.empty:
            out[table.id] = pd.DataFrame(columns=["unit", "unit_name", *cols])
            continue
        part = part.assign(value=part["text"].where(part["text"].notna(), part["num"]))
        wide = part.pivot_table(index=["unit", "row"], columns="col", values="value",
                                aggfunc="first").reset_index()
        wide = wide.reindex(columns=["unit", "row", *cols])
        wide["o"] = wide["unit"].map(order)
        wide["n"] = wide["row"].str[1:].astype(int)
        wide = wide.sort_values(["o", "n"]).drop(columns=["o", "n", "row"])
        wide.insert(1, "unit_name", wide["unit"].map(lambda c: roster[c].name))
        out[table.id] = wide.reset_index(drop=True)
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


def _mismatches(campaign: Campaign, roster: Roster, cells: pd.DataFrame,
                said: pd.DataFrame) -> list[Finding]:
    """Compare the figures each relayed roll-up states with the detail that counts."""
    said = said[said["unit"].isin({u.code for u in roster.units()})]
    out: list[Finding] = []
    for code in said["unit"].drop_duplicates():
        unit = roster[code]
        computed = unit_values(campaign, roster.subtree(code), unit, cells)
        mine = said[(said["unit"] == code) & said["num"].notna()]
        claims = {(r.tbl, r.row, r.col): r.num for r in mine.itertuples()
                  if _comparable(campaign, (r.tbl, r.row, r.col))}
        for key in sorted(set(claims) | {k for k in computed if _comparable(campaign, k)}):
            a, b = claims.get(key), computed.get(key)
            if round(a or 0, 6) != round(b or 0, 6):
                out.append(_mismatch(campaign, unit, key, a, b))
    return out


def _comparable(campaign: Campaign, key: Key) -> bool:
    """Figures a consolidated workbook states: counts and money of the tables, not rates."""
    table = campaign.spec.table(key[0])
    return (table.kind != "list" and key[1] != TOTAL_ROW_ID
            and key[2] not in (RESULT, PREVIOUS, TARGET))


def _mismatch(campaign: Campaign, unit: Unit, key: Key, stated: float | None,
              computed: float | None) -> Finding:
    tbl, row, col = key
    table = campaign.spec.table(tbl)
    row_label = next((r.label for r in table.rows(campaign.levels) if r.id == row), row)
    col_label = next((c.label for c in table.columns if c.id == col), col)
    return finding(
        "rollup-mismatch", unit=unit.code, sheet=table.sheet,
        found=format_number(stated), expected=format_number(computed),
        label=f"{unit.name}, {table.sheet}, {row_label}, {col_label}",
    )


def _checks(campaign: Campaign, roster: Roster, cells: pd.DataFrame, values: dict[Key, float],
            previous: dict[Key, float] | None) -> list[Finding]:
    """The spec's rules on the roll-up of the unit and of every unit with units below it."""
    spec = campaign.spec
    root = roster.roots()[0]
    out = run_checks(spec, values, root.code)
    intermediate = [u for u in roster.units()[1:] if spec.checks and roster.children(u.code)]
    for unit in intermediate:
        sub = roster.subtree(unit.code)
        out += run_checks(spec, unit_values(campaign, sub, sub[unit.code], cells), unit.code)
    if previous:
        comparable = {k: v for k, v in values.items() if spec.table(k[0]).kind == "fields"}
        out += changes(spec, comparable, previous, root.code)
    return out


def _unit_checks(campaign: Campaign, roster: Roster, cells: pd.DataFrame,
                 stated: pd.DataFrame) -> list[Finding]:
    """What each unit below typed, checked again where the officer signs: the rules on a
    unit without units below (its slips were warnings, accepted at ingest), and every
    result a unit typed against the rate recomputed from its own figures or, for a unit
    with units below, from theirs (a district's "1,25" over its communes' 1,71)."""
    spec = campaign.spec
    own = _by_unit(cells[cells["num"].notna()])
    said = _by_unit(stated[(stated["col"] == RESULT) & stated["num"].notna()])
    root = roster.roots()[0]
    out: list[Finding] = []
    for unit in roster.units():
        mine = own.get(unit.code, {})
        if not roster.children(unit.code):  # the root's rules ran on its roll-up
            out += (typed_rates(spec, mine, mine, unit.code) if unit.code == root.code
                    else run_checks(spec, mine, unit.code) if mine else [])
            continue
        typed = [t for t in (mine, said.get(unit.code, {})) if any(k[2] == RESULT for k in t)]
        if not typed:
            continue
        sub = roster.subtree(unit.code)
        values = unit_values(campaign, sub, sub[unit.code], cells)
        for results in typed:
            out += [f for f in typed_rates(spec, results, values, unit.code, below=True)
                    if f not in out]
    return out


def _by_unit(cells: pd.DataFrame) -> dict[str, dict[Key, float]]:
    """Each unit's numeric cells, keyed (table, row, column)."""
    out: dict[str, dict[Key, float]] = {}
    columns = (cells[c].tolist() for c in ("unit", "tbl", "row", "col", "num"))
    for unit, tbl, row, col, num in zip(*columns, strict=True):  # lists: no per-item boxing
        out.setdefault(unit, {})[(tbl, row, col)] = float(num)
    return out
