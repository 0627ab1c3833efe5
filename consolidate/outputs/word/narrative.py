"""The units' own words: each narrative field's answers, grouped and attributed.

An officer reads "Phường A, Xã B: Điểm vui chơi cho trẻ em còn thiếu." once, rather than
the same sentence from eight communes; every answer keeps the name of the unit that
wrote it, so the report can be checked against the submissions.
"""

from __future__ import annotations

from typing import Any

from consolidate.core.roster import Roster
from consolidate.core.spec import Field
from consolidate.outputs.word.figures import clean_text
from consolidate.rollup.compute import Rollup

Texts = dict[tuple[str, str], str]  # (unit code, field id) -> text


def narrative_context(rollup: Rollup) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``narrative`` (per field id) and ``sections`` (the form's sections, fields in order)."""
    spec = rollup.campaign.spec
    texts = _texts(rollup)
    roster = rollup.campaign.roster.subtree(rollup.unit.code)
    narrative = {f.id: _field(f, rollup.unit.code, roster, texts) for f in spec.narrative}
    return narrative, _sections(spec.sections or {}, spec.narrative, narrative)


def _texts(rollup: Rollup) -> Texts:
    """Every non-empty answer of the roll-up, cleaned for Word."""
    texts: Texts = {}
    frame = rollup.narrative
    for unit, field_id, raw in zip(frame["unit"].tolist(), frame["field"].tolist(),
                                   frame["text"].tolist(), strict=True):
        text = clean_text(raw)
        if text:
            texts[(unit, field_id)] = text
    return texts


def _field(field: Field, unit_code: str, roster: Roster,
           texts: Texts) -> dict[str, Any]:
    """The unit's own text for one field, then its units' answers, identical ones merged."""
    grouped: dict[str, dict[str, Any]] = {}
    for name, text in _answers(field.id, unit_code, roster, texts):
        key = " ".join(text.casefold().split())
        grouped.setdefault(key, {"units": [], "text": text})["units"].append(name)
    items = [{"names": ", ".join(g["units"]), "units": g["units"], "text": g["text"]}
             for g in grouped.values()]
    own = texts.get((unit_code, field.id), "")
    return {"id": field.id, "label": field.label, "section": field.section, "own": own,
            "answers": items, "any": bool(own or items)}


def _answers(field_id: str, unit_code: str, roster: Roster,
             texts: Texts) -> list[tuple[str, str]]:
    """(unit name, text) of the direct children (the communes of a district, the districts
    of a province); a child that wrote nothing is represented by its own units' answers."""
    answers = []
    for child in roster.children(unit_code):
        if (child.code, field_id) in texts:
            answers.append((child.name, texts[(child.code, field_id)]))
            continue
        for unit in roster.descendants(child.code):
            if (unit.code, field_id) in texts:
                answers.append((unit.name, texts[(unit.code, field_id)]))
    return answers


def _sections(titles: dict[str, str], fields: tuple[Field, ...],
              narrative: dict[str, Any]) -> list[dict[str, Any]]:
    """The form's sections with their fields; fields outside any section come last."""
    sections = []
    for key, title in titles.items():
        sections.append({"id": key, "title": title, "heading": f"{key}. {title.upper()}",
                         "fields": [narrative[f.id] for f in fields if f.section == key]})
    loose = [narrative[f.id] for f in fields if f.section not in titles]
    if loose:
        sections.append({"id": "", "title": "", "heading": "", "fields": loose})
    return sections
