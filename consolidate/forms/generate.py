"""Generate one blank, protected, validated workbook per unit of a campaign.

Building a workbook with openpyxl costs 12–18 ms; a country has 10,000 communes.
So each level's form is built once, with placeholders where the unit's identity
goes, and every unit's file is a copy of that template's zip with the placeholders
replaced in the parts that hold them (sheets, document title). The result is the
same workbook openpyxl would have written for that unit, at zip-copy speed.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from consolidate.core import files
from consolidate.core.files import atomic_write
from consolidate.core.roster import Unit
from consolidate.core.workspace import Campaign
from consolidate.forms import layout, style
from consolidate.forms.token import unit_token

PLACEHOLDERS = {
    "code": "@@UNIT_CODE@@",
    "name": "@@UNIT_NAME@@",
    "label": "@@UNIT_LABEL@@",
    "token": "@@UNIT_TOKEN@@",
}

Progress = Callable[[int], None]


def safe_filename(code: str, name: str, suffix: str = ".xlsx") -> str:
    """'01840_Phuong_Duc_Xuan.xlsx': ASCII only, so Windows, zip tools and mail never mangle it."""
    text = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = "".join(c for c in text if c.isascii() and (c.isalnum() or c in " -"))
    slug = "_".join(ascii_name.split())[:60]
    return f"{code}_{slug}{suffix}" if slug else f"{code}{suffix}"


def build_form(campaign: Campaign, ident: layout.Identity,
               answers: dict[str, dict[tuple[str, str], object]] | None = None,
               narrative: dict[str, str] | None = None) -> bytes:
    """One form workbook as bytes; with answers it is a filled (or consolidated) form."""
    spec = campaign.spec
    wb = style.new_workbook()
    layout.write_guide(wb, spec, ident)
    for table in spec.tables:
        values = None if answers is None else answers.get(table.id, {})
        layout.write_table(wb, table, campaign.levels, ident, values)
    layout.write_narrative(wb, spec, ident, narrative)
    layout.write_meta(wb, spec, ident)
    layout.finish(wb, spec, ident)
    return files.save_workbook(wb, files.issue_time(campaign.period))


def identity(campaign: Campaign, unit: Unit, kind: str = "form") -> layout.Identity:
    return layout.Identity(
        unit_code=unit.code, unit_name=unit.name, unit_level=unit.level,
        unit_label=campaign.unit_label(unit.code), period=campaign.period,
        period_label=campaign.period_label, deadline_text=campaign.deadline_text(), kind=kind,
        extra=token_meta(campaign, unit.code), cutoff_text=campaign.cutoff_text(),
        contact=str(campaign.settings.get("contact") or ""),
    )


def token_meta(campaign: Campaign, code: str) -> dict[str, str]:
    """``issuer`` and ``token`` rows of the metadata: who issued the form, for which unit."""
    ws = campaign.workspace
    token = PLACEHOLDERS["token"] if code == PLACEHOLDERS["code"] else unit_token(
        ws.secret, campaign.spec.id, campaign.spec.version, campaign.period, code)
    return {"issuer": ws.issuer, "token": token}


@dataclass
class Template:
    """A level's form as zip members, ready to be stamped with a unit's identity."""

    members: list[tuple[zipfile.ZipInfo, bytes, bool]]  # (entry, bytes, holds a placeholder)

    @classmethod
    def for_level(cls, campaign: Campaign, level: str) -> Template:
        ident = layout.Identity(
            unit_code=PLACEHOLDERS["code"], unit_name=PLACEHOLDERS["name"], unit_level=level,
            unit_label=PLACEHOLDERS["label"], period=campaign.period,
            period_label=campaign.period_label,
            deadline_text=campaign.deadline_text(),
            extra=token_meta(campaign, PLACEHOLDERS["code"]), cutoff_text=campaign.cutoff_text(),
            contact=str(campaign.settings.get("contact") or ""),
            label_room=max((len(campaign.unit_label(u.code)) for u in campaign.roster.units()
                            if u.level == level), default=0),
        )
        with zipfile.ZipFile(io.BytesIO(build_form(campaign, ident))) as zf:
            members = [(info, zf.read(info)) for info in zf.infolist()]
        return cls([(info, data, b"@@UNIT_" in data) for info, data in members])

    def stamp(self, values: dict[str, str]) -> bytes:
        replacements = [(PLACEHOLDERS[k].encode(), escape(v).encode()) for k, v in values.items()]
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for info, data, stamped in self.members:
                if stamped:
                    for old, new in replacements:
                        data = data.replace(old, new)
                zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
        return out.getvalue()


def generate_forms(campaign: Campaign, out_dir: Path | None = None,
                   units: list[str] | None = None, progress: Progress | None = None) -> list[Path]:
    """Write the blank form of the root and of every unit below it; returns the paths."""
    out_dir = out_dir or campaign.folder("forms")
    roster = campaign.roster
    targets = [roster[c] for c in units] if units else roster.units()
    templates: dict[str, Template] = {}
    paths = []
    for unit in targets:
        if unit.level not in templates:
            templates[unit.level] = Template.for_level(campaign, unit.level)
        data = templates[unit.level].stamp({
            "code": unit.code, "name": unit.name, "label": campaign.unit_label(unit.code),
            "token": token_meta(campaign, unit.code)["token"],
        })
        path = out_dir / safe_filename(unit.code, unit.name)
        atomic_write(path, data)
        paths.append(path)
        if progress:
            progress(1)
    return paths
