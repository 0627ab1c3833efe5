"""The whole cycle on built-in data: Bắc Kạn, 8 districts, 108 communes.

TP Bắc Kạn (058) and its eight wards and communes are filled so that the
district's Biểu 1–3 reproduce the published totals of seed 000 (242 children,
121.450.000 đ and 78.900.000 đ, 14.209 gifts worth 88.630.000 đ, …); every other
unit gets plausible figures from a seeded generator. Some values are typed as
text the way people type them, one commune answers late and one never answers.
Forms are filled with openpyxl the way a person fills them in Excel: cell by
cell in the generated form, then saved under a name of their own choosing.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from consolidate.core.files import safe_filename
from consolidate.core.roster import Unit
from consolidate.core.workspace import Campaign
from consolidate.demo import rights as demo_rights
from consolidate.forms import layout

Answers = dict[str, dict[tuple[str, str], Any]]

DEADLINE = dt.date(2024, 7, 3)
LATE_UNIT = "01864"  # a commune of Huyện Pác Nặm
MISSING_UNIT = "01891"  # a commune of Huyện Ba Bể

#: TP Bắc Kạn's own entries (seed 000): 20 children at the province's ceremony, 200 at its own.
SEED_000_DISTRICT: Answers = {
    "bieu_1": {("tinh", "so_tre_em_tham_du"): 20, ("huyen", "so_tre_em_tham_du"): 200,
               ("huyen", "nsnn"): 96_950_000, ("huyen", "van_dong"): "50.000.000đ"},
    "bieu_2": {("huyen", "tang_qua_so_tre_em"): 10_446, ("huyen", "tang_qua_kinh_phi"): 46_950_000},
    "bieu_3": {("huyen", "tham_gia_so_hoat_dong"): 1, ("huyen", "tham_gia_so_tre_em"): 80,
               ("huyen", "vui_choi_so_hoat_dong"): 1, ("huyen", "vui_choi_so_tre_em"): 200},
}

_B1 = ("so_diem_phat_dong", "so_tre_em_tham_du", "cong_trinh_xay_moi", "nsnn", "van_dong")
_B2 = ("tang_qua_so_tre_em", "tang_qua_kinh_phi", "hoc_bong_so_tre_em", "hoc_bong_kinh_phi",
       "kham_benh_so_tre_em")
_B3 = ("vui_choi_so_hoat_dong", "vui_choi_so_tre_em")
#: Cấp xã rows of TP Bắc Kạn's eight wards and communes; they add up to seed 000's Cấp xã row.
SEED_000_COMMUNES: dict[str, tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]] = {
    "01834": ((None, None, None, 3_000_000, 1_000_000),
              (520, 5_800_000, 10, 2_000_000, None), (7, 600)),
    "01837": ((None, None, 2, 3_500_000, 6_000_000),
              ("610 trẻ", 6_500_000, 10, 2_500_000, None), (7, 650)),
    "01840": ((None, None, 1, "3.000.000đ", 5_000_000),
              (545, 6_000_000, 12, 3_000_000, None), (7, 580)),
    "01843": (("01", "22 trẻ", None, 4_000_000, 2_500_000),
              (480, 5_200_000, None, None, 200), (7, 520)),
    "01846": ((None, None, 1, 3_000_000, 4_900_000),
              (402, 4_500_000, None, None, None), (7, 470)),
    "01849": ((None, None, 1, 2_500_000, "5.000.000Đ"),
              (398, 4_380_000, None, None, 259), (7, 450)),
    "01852": (("-", None, None, 2_500_000, 1_500_000),
              (310, 3_500_000, None, None, None), (7, 380)),
    "01855": ((None, None, 1, 3_000_000, 3_000_000),
              (498, 5_800_000, 10, 2_400_000, None), ("7", "540 trẻ")),
}

NARRATIVE_SAMPLES = {
    "chi_dao": "Ban hành kế hoạch triển khai Tháng hành động vì trẻ em năm {period}; "
               "hướng dẫn các đơn vị tổ chức các hoạt động.",
    "phat_dong": "Tổ chức lễ phát động Tháng hành động vì trẻ em với sự tham gia của trẻ em "
                 "và người phụ trách trẻ em.",
    "noi_dung": "Tuyên truyền về Luật Trẻ em năm 2016 và Tổng đài 111; thăm, tặng quà trẻ em "
                "có hoàn cảnh đặc biệt; tổ chức sinh hoạt hè an toàn.",
    "ket_qua": "Các hoạt động được triển khai thiết thực, phù hợp với điều kiện địa phương.",
    "ton_tai": "Nguồn lực vận động còn hạn chế; điểm vui chơi dành cho trẻ em còn thiếu.",
    "kien_nghi": "Đề nghị cấp trên hỗ trợ kinh phí xây dựng điểm vui chơi cho trẻ em.",
}


def seed_000_commune_answers(code: str) -> Answers:
    b1, b2, b3 = SEED_000_COMMUNES[code]
    return {
        "bieu_1": {("xa", c): v for c, v in zip(_B1, b1, strict=True) if v is not None},
        "bieu_2": {("xa", c): v for c, v in zip(_B2, b2, strict=True) if v is not None},
        "bieu_3": {("xa", c): v for c, v in zip(_B3, b3, strict=True) if v is not None},
    }


def plausible_answers(unit: Unit, rng: random.Random) -> Answers:
    """Figures of the right size for a unit's own row; a few typed as text."""
    row = {"province": "tinh", "district": "huyen", "commune": "xa"}[unit.level]
    scale = {"province": 20, "district": 6, "commune": 1}[unit.level]
    children = rng.randint(15, 120) * scale
    answers: Answers = {
        "bieu_1": {(row, "so_diem_phat_dong"): rng.randint(0, 1),
                   (row, "so_tre_em_tham_du"): children,
                   (row, "nsnn"): rng.randint(2, 9) * 500_000 * scale,
                   (row, "van_dong"): rng.randint(0, 8) * 500_000 * scale},
        "bieu_2": {(row, "tang_qua_so_tre_em"): rng.randint(100, 600) * scale,
                   (row, "tang_qua_kinh_phi"): rng.randint(8, 40) * 250_000 * scale},
        "bieu_3": {(row, "vui_choi_so_hoat_dong"): rng.randint(2, 9),
                   (row, "vui_choi_so_tre_em"): rng.randint(100, 500) * scale},
    }
    if rng.random() < 0.25:  # typed the way seed 001's commune typed it
        answers["bieu_1"][(row, "so_tre_em_tham_du")] = f"{children} trẻ"
        money = answers["bieu_1"][(row, "nsnn")]
        answers["bieu_1"][(row, "nsnn")] = f"{money:,}đ".replace(",", ".")
    return answers


def fill_workbook(form: Path, out: Path, answers: Answers,
                  narrative: dict[str, str] | None = None) -> Path:
    """Type answers into a generated form, cell by cell, found by its keys; save as ``out``."""
    wb = load_workbook(form)
    for ws in wb.worksheets:
        mark = str(ws["A1"].value or "")
        if mark.startswith(layout.TABLE_MARK):
            _fill_table(ws, answers.get(mark[len(layout.TABLE_MARK):], {}))
        elif mark == layout.NARRATIVE_MARK and narrative:
            for row in ws.iter_rows(min_col=1, max_col=1):
                key = row[0].value
                if key in narrative:
                    ws.cell(row=row[0].row, column=3, value=narrative[key])
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _fill_table(ws: Any, values: dict[tuple[str, str], Any]) -> None:
    rows = {c.value: c.row for c in ws["A"] if c.value}
    cols = {c.value: c.column for c in ws[layout.KEY_ROW] if c.value}
    for (row, col), value in values.items():
        ws.cell(row=rows[row], column=cols[col], value=value)


#: The two campaigns of the demo: (form, deadline), for the province of Bắc Kạn in 2024.
CAMPAIGNS = (("thang-hanh-dong", DEADLINE), ("quyen-tre-em", dt.date(2024, 10, 15)))
DEMO_PERIOD = "2024"
DEMO_ROOT = "06"
DEMO_SIGNER = "Nguyễn Văn A"


def fill_campaign(campaign: Campaign, forms: list[Path], inbox: Path, deadline: dt.date) -> int:
    """Fill every unit's form as its clerk would and drop it in the inbox, with a receipt
    time on time or late; one commune never answers. Returns how many were filled."""
    rng = random.Random(2024)
    by_code = {p.name.split("_", 1)[0]: p for p in forms}
    on_time = dt.datetime.combine(deadline, dt.time(9, 30)) - dt.timedelta(days=1)
    late = dt.datetime.combine(deadline, dt.time(9, 15)) + dt.timedelta(days=5)
    rights = campaign.form_id == "quyen-tre-em"
    answers = demo_rights.all_answers(campaign.roster, rng) if rights else {}
    count = 0
    for unit in campaign.roster.units():
        if unit.code == MISSING_UNIT:
            continue
        narrative = {k: v.format(period=campaign.period)
                     for k, v in NARRATIVE_SAMPLES.items() if not rights}
        name = safe_filename(unit.code, f"{campaign.form_id} {unit.name}")
        out = fill_workbook(by_code[unit.code], inbox / name,
                            answers[unit.code] if rights else _answers_for(unit, rng),
                            narrative or RIGHTS_NARRATIVE)
        stamp = (late if unit.code == LATE_UNIT else on_time).timestamp()
        os.utime(out, (stamp, stamp))
        count += 1
    return count


def _answers_for(unit: Unit, rng: random.Random) -> Answers:
    if unit.code == "058":
        return SEED_000_DISTRICT
    if unit.code in SEED_000_COMMUNES:
        return seed_000_commune_answers(unit.code)
    return plausible_answers(unit, rng)


RIGHTS_NARRATIVE = {
    "chi_dao": "Ban hành các văn bản chỉ đạo, kế hoạch thực hiện công tác trẻ em năm 2024.",
    "tuyen_truyen": "Tuyên truyền Luật Trẻ em 2016, Tổng đài 111 qua loa truyền thanh, "
                    "sinh hoạt hè và họp thôn, tổ dân phố.",
    "kiem_tra": "Kiểm tra, giám sát việc thực hiện quyền trẻ em tại thôn, tổ dân phố.",
    "kho_khan": "Kinh phí còn hạn chế; điểm vui chơi dành riêng cho trẻ em còn thiếu.",
    "kien_nghi": "Đề nghị tiếp tục hỗ trợ kinh phí cho công tác bảo vệ, chăm sóc trẻ em.",
}
