"""Test helpers: filling a generated form the way a person does, and shared answers.

Kept here, not in the shipped package, so the product never carries test code and the
tests never depend on the demo's way of filling forms.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from consolidate import api
from consolidate.core.workspace import Campaign
from consolidate.demo import SEED_000_COMMUNES, SEED_000_DISTRICT, seed_000_commune_answers
from consolidate.forms.layout import KEY_ROW, NARRATIVE_MARK, TABLE_MARK
from consolidate.rollup.compute import Rollup

Answers = dict[str, dict[tuple[str, str], Any]]

#: A commune's Action Month figures, typed as people type them (text with units, dots, "-").
ANSWERS: Answers = {
    "bieu_1": {("xa", "so_diem_phat_dong"): 1, ("xa", "so_tre_em_tham_du"): "700 trẻ",
               ("xa", "cong_trinh_xay_moi"): "0", ("xa", "nsnn"): "4.930.000đ",
               ("xa", "van_dong"): "2.500.000Đ"},
    "bieu_2": {("xa", "tang_qua_so_tre_em"): "15 trẻ", ("xa", "tang_qua_kinh_phi"): "4.000.000đ",
               ("xa", "hoc_bong_so_tre_em"): "-", ("xa", "kham_benh_so_tre_em"): "Không"},
    "bieu_3": {("xa", "tham_gia_so_hoat_dong"): 1, ("xa", "tham_gia_so_tre_em"): 700},
}


def fill_workbook(form: Path, out: Path, answers: Answers,
                  narrative: dict[str, str] | None = None) -> Path:
    """Open a generated form in openpyxl, type each answer into the cell its row and column
    keys name (as a clerk types into the yellow cells), and save it under ``out``."""
    wb = load_workbook(form)
    for ws in wb.worksheets:
        mark = str(ws["A1"].value or "")
        if mark.startswith(TABLE_MARK):
            rows = {c.value: c.row for c in ws["A"] if c.value}
            cols = {c.value: c.column for c in ws[KEY_ROW] if c.value}
            for (row, col), value in answers.get(mark[len(TABLE_MARK):], {}).items():
                ws.cell(row=rows[row], column=cols[col], value=value)
        elif mark == NARRATIVE_MARK and narrative:
            for cell in ws["A"]:
                if cell.value in narrative:
                    ws.cell(row=cell.row, column=3, value=narrative[cell.value])
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def rollup_of(campaign: Campaign, code: str | None = None) -> Rollup:
    """A unit's roll-up as its report computes it, for this very campaign object (its
    settings as the test set them), with the previous period's values."""
    rollups = api.Rollups.load(campaign)
    unit = code or campaign.root
    return rollups.current(unit, rollups.previous(unit))


def write_reports(campaign: Campaign, units: list[str] | None = None, out_dir: Path | None = None,
                  template: Path | None = None, pdf: bool = False) -> list[api.UnitReport]:
    """The consolidated workbook and Word report of each unit (default: the root)."""
    return [api.report(campaign.workspace.path, campaign.id, code, out=out_dir,
                       template=template, pdf=pdf).reports[0]
            for code in units or [campaign.root]]


def form_path(campaign: Campaign, code: str) -> Path:
    """The blank form generated for a unit."""
    return next(campaign.folder("forms").glob(f"{code}_*.xlsx"))


#: Narrative answers of TP Bắc Kạn, its communes, and Phường Đức Xuân (with characters
#: that must survive into Word: '&', '<', '>').
OWN = {"chi_dao": "UBND thành phố ban hành Kế hoạch số 82/KH-UBND ngày 08/4/2024.",
       "ton_tai": "Nguồn lực vận động còn hạn chế."}
COMMUNE = {"ton_tai": "Điểm vui chơi cho trẻ em còn thiếu."}
DUC_XUAN = {"ton_tai": "Chưa có kinh phí sửa sân chơi & nhà văn hóa <tổ 2>."}


def fill_seed_000(campaign: Campaign, district_children: int = 200) -> None:
    """TP Bắc Kạn and its eight wards and communes, as seed 000 published them, received
    on time and ingested."""
    inbox = campaign.workspace.inbox
    own = {**SEED_000_DISTRICT, "bieu_1": {**SEED_000_DISTRICT["bieu_1"],
                                           ("huyen", "so_tre_em_tham_du"): district_children}}
    made = [fill_workbook(form_path(campaign, "058"), inbox / f"058-{campaign.period}.xlsx",
                          own, OWN)]
    for code in SEED_000_COMMUNES:
        made.append(fill_workbook(form_path(campaign, code),
                                  inbox / f"{code}-{campaign.period}.xlsx",
                                  seed_000_commune_answers(code),
                                  DUC_XUAN if code == "01840" else COMMUNE))
    on_time = dt.datetime(int(campaign.period), 7, 1, 9).timestamp()
    for path in made:
        os.utime(path, (on_time, on_time))
    assert api.ingest(campaign.workspace.path).valid
