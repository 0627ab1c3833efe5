"""Demo answers for the children's-rights form (quyen-tre-em).

TP Bắc Kạn's eight wards and communes add up exactly to seed 002's published
situation figures (9.367 children of 47.634 people, 4.814 boys, 2.890 Kinh, 100 in
special circumstances, 352 births, …); every other commune gets plausible figures
that satisfy the form's own rules, and each district enters only what the spec
gives it (prosecutions, its plan targets).
"""

from __future__ import annotations

import random
from typing import Any

from consolidate.core.roster import Roster, Unit

Answers = dict[str, dict[tuple[str, str], Any]]

SEED_002_CITY = {  # district 058's totals, seed 002
    "dan_so": 47_634, "tre_em": 9_367, "tre_em_nam": 4_814, "dan_toc_kinh": 2_890,
    "duoi_6_tuoi": 2_404, "duoi_5_tuoi": 1_980, "hcdb_mo_coi": 2, "hcdb_bo_roi": 7,
    "hcdb_khong_noi_nuong_tua": 2, "hcdb_khuyet_tat": 89, "nguy_co": 293,
    "tu_16_den_18": 1_667, "khai_sinh": 352, "khai_sinh_nam": 191, "khai_sinh_dung_han": 331,
    "con_nuoi_nuoc_ngoai": 5, "con_nuoi_trong_nuoc": 1, "ket_hon": 410,
}
#: Seed 002's plan (kế hoạch) and previous-year column for the city, as typed.
SEED_002_TARGETS = {
    "ct3_so_sinh": ("<7", "0"), "ct3_duoi_1": ("<11", "0"), "ct3_duoi_5": ("<13", "0"),
    "ct4_can_nang": ("<12", "11,4"), "ct4_chieu_cao": ("≤15", "15"), "ct4_beo_phi": ("0,7", "0"),
    "ct5_duoi_1": (">95", "75,5"), "ct5_duoi_5": (">95", "75,5"), "ct6_hiv": ("0", "0"),
    "ct7_ve_sinh": ("100", "100"), "ct11_tai_nan": ("0", "2,28"), "ct11_tu_vong": ("0", "0,20"),
    "ct13_tao_hon": ("0", "0"), "ct14_khai_sinh": ("100", "100"),
    "ct21_diem_vui_choi": ("100", "100"),
}
CITY_WEIGHTS = (14, 16, 15, 13, 11, 9, 7, 15)
CITY_DIRECTIVES = [
    ("UBND thành phố", "Kế hoạch", "Số 22/KH-UBND thực hiện Chương trình Chăm sóc sức khỏe "
     "tâm thần trẻ em, chăm sóc trẻ em mồ côi giai đoạn 2023 - 2030", "31/01/2024"),
    ("UBND thành phố", "Kế hoạch", "Số 82/KH-UBND triển khai Tháng hành động vì trẻ em "
     "năm 2024", "08/4/2024"),
    ("UBND thành phố", "Quyết định", "Số 1376/QĐ-UBND về việc kiện toàn Ban Chỉ đạo công tác "
     "bảo vệ, chăm sóc trẻ em thành phố Bắc Kạn", "22/5/2024"),
]


def split(total: int, weights: tuple[int, ...] | list[int]) -> list[int]:
    """Whole parts proportional to the weights that add up exactly to the total."""
    raw = [total * w / sum(weights) for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _commune(figures: dict[str, int]) -> Answers:
    """A commune's three count tables from its own figures, derived parts filled in."""
    f = dict(figures)
    f["tre_em_nu"] = f["tre_em"] - f["tre_em_nam"]
    f["dan_toc_khac"] = f["tre_em"] - f["dan_toc_kinh"]
    f["hcdb"] = sum(f[k] for k in ("hcdb_mo_coi", "hcdb_bo_roi", "hcdb_khong_noi_nuong_tua",
                                   "hcdb_khuyet_tat"))
    f["nguy_co_ho_ngheo"] = f["nguy_co"]
    f["khai_sinh_nu"] = f["khai_sinh"] - f["khai_sinh_nam"]
    f["khai_sinh_qua_han"] = f["khai_sinh"] - f["khai_sinh_dung_han"]
    f["de_song"] = max(8, f["tre_em"] // 25)
    f["can_do_duoi_5"] = f["duoi_5_tuoi"] * 96 // 100
    tables = {
        "tinh_hinh": ("dan_so", "tre_em", "tre_em_nam", "tre_em_nu", "dan_toc_kinh",
                      "dan_toc_khac", "duoi_6_tuoi", "duoi_5_tuoi", "can_do_duoi_5", "hcdb",
                      "hcdb_mo_coi", "hcdb_bo_roi", "hcdb_khong_noi_nuong_tua", "hcdb_khuyet_tat",
                      "hcdb_khac",
                      "nguy_co", "nguy_co_ho_ngheo", "tu_16_den_18"),
        "bao_luc": ("bao_luc_vu", "bao_luc_tre_em", "xam_hai_vu", "xam_hai_tre_em", "tai_nan",
                    "tu_vong", "tu_vong_duoi_nuoc", "tu_vong_giao_thong", "tu_vong_khac"),
        "khai_sinh": ("de_song", "khai_sinh", "khai_sinh_nam", "khai_sinh_nu", "khai_sinh_dung_han",
                      "khai_sinh_qua_han", "con_nuoi_nuoc_ngoai", "con_nuoi_trong_nuoc",
                      "ket_hon", "tao_hon"),
    }
    return {t: {(r, "so_lieu"): f.get(r, 0) for r in rows} for t, rows in tables.items()}


def _indicator_parts(figures: dict[str, int], rng: random.Random, play_area: bool) -> dict:
    """Phụ lục 02's own parts; live births and children weighed are the commune's figures
    (typed once in their tables), deaths nest (newborn ≤ under 1 ≤ under 5)."""
    born, under5, weighed = figures["de_song"], figures["duoi_5_tuoi"], figures["can_do_duoi_5"]
    newborn = rng.randint(0, 1)
    infant = newborn + rng.randint(0, 1)
    cells = {
        ("ct3_so_sinh", "tu_so"): newborn, ("ct3_duoi_1", "tu_so"): infant,
        ("ct3_duoi_5", "tu_so"): infant + rng.randint(0, 1),
        ("ct4_can_nang", "tu_so"): weighed * rng.randint(8, 14) // 100,
        ("ct4_chieu_cao", "tu_so"): weighed * rng.randint(11, 17) // 100,
        ("ct4_beo_phi", "tu_so"): weighed // 110,
        ("ct5_duoi_1", "tu_so"): born * rng.randint(78, 99) // 100, ("ct5_duoi_1", "mau_so"): born,
        ("ct5_duoi_5", "tu_so"): under5 * rng.randint(80, 99) // 100,
        ("ct14_khai_sinh", "tu_so"): under5,
        ("ct21_diem_vui_choi", "co_khong"): "Có" if play_area else "Không",
    }
    return cells


def city_commune_answers(index: int, code: str, rng: random.Random) -> Answers:
    """Ward/commune ``index`` (0–7) of TP Bắc Kạn: its share of seed 002's figures."""
    figures = {k: split(v, CITY_WEIGHTS)[index] for k, v in SEED_002_CITY.items()}
    figures.update({
        "tai_nan": (3, 2, 2, 2, 2, 2, 2, 1)[index],
        "tu_vong": 1 if code in ("01846", "01849") else 0,
        "tu_vong_duoi_nuoc": 1 if code == "01846" else 0,
        "tu_vong_giao_thong": 1 if code == "01849" else 0,
        "bao_luc_vu": 2 if code == "01840" else 0, "bao_luc_tre_em": 2 if code == "01840" else 0,
        "xam_hai_vu": 1 if code in ("01840", "01837", "01849") else 0,
        "xam_hai_tre_em": 1 if code in ("01840", "01837", "01849") else 0,
    })
    answers = _commune(figures)
    own = {r: v for table in answers.values() for (r, _), v in table.items()}
    answers["phu_luc_02"] = _indicator_parts(own, rng, play_area=True)
    answers["phu_luc_01"] = {("r1", "co_quan"): "UBND phường, xã", ("r1", "loai"): "Kế hoạch",
                             ("r1", "ten"): f"Số {10 + index}/KH-UBND thực hiện công tác trẻ em "
                                            "năm 2024", ("r1", "ngay"): f"{10 + index}/3/2024"}
    return answers


def plausible_commune(rng: random.Random) -> Answers:
    children = rng.randint(500, 2_500)
    figures = {
        "dan_so": children * rng.randint(38, 46) // 10, "tre_em": children,
        "tre_em_nam": children * rng.randint(49, 53) // 100,
        "dan_toc_kinh": children * rng.randint(2, 30) // 100,
        "duoi_6_tuoi": children * 27 // 100, "duoi_5_tuoi": children * 21 // 100,
        "hcdb_mo_coi": rng.randint(0, 2), "hcdb_bo_roi": rng.randint(0, 1),
        "hcdb_khong_noi_nuong_tua": rng.randint(0, 1), "hcdb_khuyet_tat": rng.randint(2, 15),
        "nguy_co": rng.randint(10, 80), "tu_16_den_18": children * 18 // 100,
        "tai_nan": rng.randint(0, 4), "khai_sinh": children // 25,
        "ket_hon": children // 20, "tao_hon": rng.randint(0, 2),
    }
    figures["khai_sinh_nam"] = figures["khai_sinh"] * 52 // 100
    figures["khai_sinh_dung_han"] = figures["khai_sinh"] * 94 // 100
    figures["xam_hai_vu"] = figures["xam_hai_tre_em"] = int(rng.random() < 0.15)
    answers = _commune(figures)
    own = {r: v for table in answers.values() for (r, _), v in table.items()}
    answers["phu_luc_02"] = _indicator_parts(own, rng, play_area=rng.random() < 0.8)
    return answers


def district_answers(unit: Unit, roster: Roster, communes: dict[str, Answers]) -> Answers:
    """A district enters its prosecutions (every abuse case of its communes) and its plan."""
    cases = sum(communes[c.code]["bao_luc"][("xam_hai_vu", "so_lieu")]
                for c in roster.children(unit.code) if c.code in communes)
    answers: Answers = {"bao_luc": {("khoi_to_vu", "so_lieu"): cases,
                                    ("bi_can", "so_lieu"): cases}}
    answers["phu_luc_02"] = {(k, "ke_hoach"): plan for k, (plan, _) in SEED_002_TARGETS.items()}
    if unit.code == "058":
        answers["phu_luc_02"].update(
            {(k, "nam_truoc"): before for k, (_, before) in SEED_002_TARGETS.items()})
        answers["phu_luc_01"] = {
            (f"r{i}", col): value for i, row in enumerate(CITY_DIRECTIVES, start=1)
            for col, value in zip(("co_quan", "loai", "ten", "ngay"), row, strict=True)}
    return answers


#: Seed 004's local budget: the province 384.000.000 đ, its districts 536.393.000 đ; funds
#: raised 95.076.000 đ by the province and 156.397.000 đ by the districts.
PROVINCE_BUDGET = {("tinh", "ngan_sach"): 384_000_000, ("tinh", "quy_btte"): 95_076_000}
DISTRICT_BUDGET, DISTRICT_FUNDS = 536_393_000, 156_397_000


def province_answers() -> Answers:
    return {"tinh_hinh": {("co_so_tro_giup", "so_lieu"): 22}, "kinh_phi": PROVINCE_BUDGET,
            "phu_luc_02": {(k, "ke_hoach"): plan for k, (plan, _) in SEED_002_TARGETS.items()}}


def all_answers(roster: Roster, rng: random.Random) -> dict[str, Answers]:
    """Answers for every unit of the tree: communes first, so districts can count them."""
    out: dict[str, Answers] = {}
    city = [c.code for c in roster.children("058")] if "058" in roster else []
    for unit in roster.units():
        if unit.level == "commune":
            out[unit.code] = (city_commune_answers(city.index(unit.code), unit.code, rng)
                              if unit.code in city else plausible_commune(rng))
    districts = [u for u in roster.units() if u.level == "district"]
    budgets = split(DISTRICT_BUDGET, [len(roster.children(d.code)) for d in districts])
    funds = split(DISTRICT_FUNDS, [len(roster.children(d.code)) for d in districts])
    for unit, budget, fund in zip(districts, budgets, funds, strict=True):
        out[unit.code] = district_answers(unit, roster, out)
        out[unit.code]["kinh_phi"] = {("huyen", "ngan_sach"): budget, ("huyen", "quy_btte"): fund}
    for unit in roster.units():
        if unit.level == "province":
            out[unit.code] = province_answers()
    return out
