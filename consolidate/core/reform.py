"""The 2025 reform of administrative units: what a code of one official roster is in the other.

In 2025 districts were abolished and provinces and communes merged (Bắc Kạn (06) into Thái
Nguyên (19)). A person who types a pre-reform code with ``--roster 2025`` (or a new code with
``--roster 2024``) must be told what became of the unit, not only that the code is unknown.
The conversion is the one ``vietnamadminunits`` ships (``data/converter_2025.json``: new
province key -> old province keys, new commune key -> old province_district_commune keys),
read directly because importing the package parses its whole address data.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from consolidate.core.roster import _dataset_path, _query
from consolidate.core.vocabulary import normalise_unit_name

OTHER = {"2024": "2025", "2025": "2024"}
DESCRIPTION = {"2024": "danh mục 2024 (trước sắp xếp, 3 cấp)",
               "2025": "danh mục 2025 (sau sắp xếp, 2 cấp)"}


@lru_cache(maxsize=1)
def _conversion() -> dict[str, Any]:
    path = _dataset_path().parent / "converter_2025.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _old_row(code: str) -> tuple[str, ...] | None:
    """(level, name, province key, district key, commune key, province, district) of a
    pre-reform code."""
    for level, column in (("province", "provinceCode"), ("district", "districtCode"),
                          ("commune", "wardCode")):
        rows = _query("SELECT provinceKey, districtKey, wardKey, province, district, ward "
                      f"FROM admin_units_legacy WHERE {column} = ? LIMIT 1", (code,))
        if rows:
            pk, dk, wk, *names = rows[0]
            province, district, ward = (normalise_unit_name(n or "") for n in names)
            name = {"province": province, "district": district, "commune": ward}[level]
            return level, name, pk, dk, wk, province, district
    return None


def _new_unit(province_key: str, ward_key: str | None = None) -> tuple[str, str] | None:
    """(code, name) of a post-reform province, or of one of its communes."""
    if ward_key is None:
        rows = _query("SELECT provinceCode, province FROM admin_units WHERE provinceKey = ? "
                      "LIMIT 1", (province_key,))
    else:
        rows = _query("SELECT wardCode, ward FROM admin_units WHERE provinceKey = ? "
                      "AND wardKey = ? LIMIT 1", (province_key, ward_key))
    return (rows[0][0], normalise_unit_name(rows[0][1])) if rows else None


def _new_province_key(old_key: str) -> str | None:
    return next((new for new, olds in _conversion()["DICT_PROVINCE"].items()
                 if old_key in olds), None)


def _after_reform(code: str) -> str | None:
    """What a pre-reform unit became, said for someone who chose the 2025 roster."""
    row = _old_row(code)
    if row is None:
        return None
    level, name, pk, dk, wk, province, district = row
    new_key = _new_province_key(pk)
    new_province = _new_unit(new_key) if new_key else None
    if new_province is None:
        return None
    target = f"{new_province[1]} ({new_province[0]})"
    if level == "province":
        return (f"{name} ({code}) đã sáp nhập vào {target} từ năm 2025; dùng --unit "
                f"{new_province[0]} với --roster 2025, hoặc --roster 2024 cho số liệu "
                "trước sáp nhập")
    if level == "district":
        return (f"{name} ({code}), {province} là cấp huyện, không còn từ năm 2025 (danh mục "
                f"2025 chỉ có cấp tỉnh và cấp xã); nay thuộc {target}. Dùng --roster 2024 để "
                "báo cáo theo huyện")
    old_key = f"{pk}_{dk}_{wk}"
    wards = _conversion()["DICT_PROVINCE_WARD_NO_DIVIDED"].get(new_key, {})
    new_ward_key = next((new for new, olds in wards.items() if old_key in olds), None)
    ward = _new_unit(new_key, new_ward_key) if new_ward_key else None
    if ward is None:
        return (f"{name} ({code}), {district}, {province} đã được chia tách hoặc sắp xếp lại "
                f"từ năm 2025 (nay thuộc {target}); dùng --roster 2024 cho số liệu trước "
                "sắp xếp")
    return (f"{name} ({code}), {district}, {province} đã sắp xếp thành {ward[1]} ({ward[0]}), "
            f"{new_province[1]} từ năm 2025; dùng --unit {ward[0]} với --roster 2025")


def _before_reform(code: str) -> str | None:
    """What a post-reform code is, said for someone who chose the 2024 roster."""
    rows = _query("SELECT ward, province FROM admin_units WHERE wardCode = ? LIMIT 1", (code,))
    if not rows:
        return None
    ward, province = (normalise_unit_name(n) for n in rows[0])
    return (f"mã {code} là {ward}, {province} trong danh mục 2025 (sau sắp xếp); dùng "
            "--roster 2025")


def explain_missing(code: str, roster: str) -> str:
    """Why ``code`` is not in the official ``roster`` ('2024'/'2025'), from the other one;
    '' when the other roster does not know it either (or the roster is a custom file)."""
    if roster == "2025":
        return _after_reform(code) or ""
    if roster == "2024":
        return _before_reform(code) or ""
    return ""
