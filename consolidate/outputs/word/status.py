"""Who has reported, as the report says it: counts per level and one ready sentence.

The report must say what its figures rest on ("Số liệu được tổng hợp từ báo cáo của
08/08 xã, phường"), naming the units that were late or have not reported.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from consolidate.core.vocabulary import LEVEL_ORDER, kinds_text
from consolidate.intake.status import LATE, MISSING, ON_TIME, REJECTED, RELAYED
from consolidate.outputs.word.filters import vn_count

#: The states whose figures are in the roll-up.
RECEIVED = {ON_TIME, LATE, RELAYED}

#: Beyond this many names, a sentence gives their number instead.
MAX_NAMES = 5


def status_context(status: pd.DataFrame, unit_code: str) -> dict[str, Any]:
    """Who has reported, counted over the units below, with a ready sentence."""
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
    ctx["sentence"] = _sentence(ctx)
    return ctx


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


def _sentence(ctx: dict[str, Any]) -> str:
    """``Số liệu được tổng hợp từ báo cáo của 07/08 xã, phường (nộp muộn: …).``"""
    if not ctx["by_level"]:
        return ""
    parts = [f"{vn_count(b['received'])}/{vn_count(b['total'])} {b['kinds']}"
             for b in ctx["by_level"]]
    text = "Số liệu được tổng hợp từ báo cáo của " + " và ".join(parts)
    notes = []
    if ctx["late_names"]:
        notes.append(f"nộp muộn: {_names_or_count(ctx['late_names'])}")
    if ctx["missing_names"]:
        notes.append(f"chưa nộp: {_names_or_count(ctx['missing_names'])}")
    return text + (f" ({'; '.join(notes)})" if notes else "") + "."
