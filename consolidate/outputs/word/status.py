"""Who has reported, as the report says it: counts per level and one ready sentence.

The report must say what its figures rest on ("Số liệu được tổng hợp từ báo cáo của
08/08 xã, phường"), naming the units that were late or have not reported.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from consolidate.core.errors import Finding, finding
from consolidate.core.roster import Roster
from consolidate.core.vocabulary import LEVEL_ORDER, kinds_text
from consolidate.intake.status import LATE, MISSING, ON_TIME, REJECTED, RELAYED
from consolidate.outputs.word.filters import vn_count
from consolidate.rollup.compute import Rollup

#: The states whose figures are in the roll-up.
RECEIVED = {ON_TIME, LATE, RELAYED}

#: Beyond this many names, a sentence gives their number instead.
MAX_NAMES = 5


def status_context(status: pd.DataFrame, unit_code: str,
                   roster: Roster | None = None) -> dict[str, Any]:
    """Who has reported, counted over the units below, with a ready sentence; with the
    roster, also which units below have not (fully) reported, each with its count."""
    below = status[status["code"] != unit_code] if len(status) else status
    counts = below["status"].value_counts() if len(below) else pd.Series(dtype=int)

    def names(state: str) -> list[str]:
        return below.loc[below["status"] == state, "name"].tolist() if len(below) else []

    ctx = {
        "total": len(below),
        "received": int(below["status"].isin(RECEIVED).sum()) if len(below) else 0,
        "on_time": int(counts.get(ON_TIME, 0)), "late": int(counts.get(LATE, 0)),
        "missing": int(counts.get(MISSING, 0)), "rejected": int(counts.get(REJECTED, 0)),
        "relayed": int(counts.get(RELAYED, 0)),
        "late_names": names(LATE), "missing_names": names(MISSING) + names(REJECTED),
        "by_level": _by_level(below),
    }
    ctx["sentence"] = _sentence(ctx, names_missing=roster is None)
    ctx["complete"] = ctx["received"] == ctx["total"]
    ctx["coverage"] = "" if ctx["complete"] or not ctx["received"] else " và ".join(
        f"{vn_count(b['received'])}/{vn_count(b['total'])} {b['kinds']}" for b in ctx["by_level"])
    ctx["gaps"] = _gaps(below, unit_code, roster) if roster is not None else []
    ctx["gaps_sentence"] = _gaps_sentence(ctx["gaps"])
    return ctx


def _gaps(below: pd.DataFrame, unit_code: str, roster: Roster) -> list[dict[str, Any]]:
    """Each unit directly below that is missing reports, with how many of its own units
    below have reported (``received``/``total``, ``kinds``; total 0 for a unit with none)."""
    received = set(below.loc[below["status"].isin(RECEIVED), "code"]) if len(below) else set()
    out = []
    for child in roster.children(unit_code):
        under = roster.descendants(child.code)
        got = sum(u.code in received for u in under)
        if child.code in received and got == len(under):
            continue
        out.append({"name": child.name, "received": got, "total": len(under),
                    "kinds": kinds_text(u.name for u in under),
                    "nothing": got == 0 and child.code not in received})
    return out


def _gaps_sentence(gaps: list[dict[str, Any]]) -> str:
    """``Chưa có báo cáo của: Huyện Ba Bể (16 xã, thị trấn); chưa đủ báo cáo của: Thành phố
    Bắc Kạn (07/08 xã, phường đã báo cáo).``"""
    none = [g["name"] + (f" ({vn_count(g['total'])} {g['kinds']})" if g["total"] else "")
            for g in gaps if g["nothing"]]
    some = [f"{g['name']} ({vn_count(g['received'])}/{vn_count(g['total'])} {g['kinds']} "
            "đã báo cáo)" for g in gaps if not g["nothing"]]
    parts = ([f"chưa có báo cáo của: {'; '.join(none)}"] if none else []) + (
        [f"chưa đủ báo cáo của: {'; '.join(some)}"] if some else [])
    text = "; ".join(parts)
    return f"{text[:1].upper()}{text[1:]}." if text else ""


def _by_level(below: pd.DataFrame) -> list[dict[str, Any]]:
    """Received and total per level present, top level first (``level`` is a level code)."""
    out = []
    for level in LEVEL_ORDER:
        rows = below[below["level"] == level] if len(below) else below
        if len(rows):
            out.append({"level": level, "kinds": kinds_text(rows["name"]),
                        "received": int(rows["status"].isin(RECEIVED).sum()),
                        "total": len(rows)})
    return out


def _names_or_count(names: list[str]) -> str:
    if len(names) <= MAX_NAMES:
        return ", ".join(names)
    return f"{vn_count(len(names))} đơn vị"


def _sentence(ctx: dict[str, Any], names_missing: bool = True) -> str:
    """``Số liệu được tổng hợp từ báo cáo của 07/08 xã, phường (nộp muộn: …).``"""
    if not ctx["by_level"]:
        return ""
    parts = [f"{vn_count(b['received'])}/{vn_count(b['total'])} {b['kinds']}"
             for b in ctx["by_level"]]
    text = "Số liệu được tổng hợp từ báo cáo của " + " và ".join(parts)
    notes = []
    if ctx["late_names"]:
        notes.append(f"nộp muộn: {_names_or_count(ctx['late_names'])}")
    if ctx["missing_names"] and names_missing:  # else the gaps sentence names them
        notes.append(f"chưa nộp: {_names_or_count(ctx['missing_names'])}")
    return text + (f" ({'; '.join(notes)})" if notes else "") + "."


def coverage_findings(rollup: Rollup, status: pd.DataFrame) -> list[Finding]:
    """A warning when the report rests on no report at all, or on part of the units below,
    naming those missing, so whoever signs it knows before reading the figures."""
    unit = rollup.unit
    if not len(status):
        return []
    received = status["status"].isin(RECEIVED)
    if not received.any():
        return [finding("report-no-data", unit=unit.name, expected=vn_count(len(status)))]
    ctx = status_context(status, unit.code, rollup.campaign.roster)
    if ctx["complete"]:
        return []
    return [finding("report-partial", unit=unit.name, found=vn_count(ctx["received"]),
                    expected=vn_count(ctx["total"]),
                    detail=ctx["gaps_sentence"][:1].lower() + ctx["gaps_sentence"][1:-1])]
