"""Contacts files: read one onto a campaign's roster, list the addresses, write a template.

A contacts file is a CSV or XLSX with a header row (Vietnamese or English, as rosters
have: mã/code, thư điện tử/email, họ tên/name, điện thoại/phone); other columns (the
unit's name, level, parent in the template) are read past. Each row is checked on its
own and a bad row never stops the others:

* a code typed as a number lost its leading zeros in Excel (58 for 058, 1840 for 01840):
  it is matched only when exactly one unit of the campaign has that code once the zeros
  are put back, otherwise it is reported with the candidates, never guessed;
* an address is checked strictly (``email.utils`` parses it, then the address must be a
  plain ``local@domain.tld`` in ASCII): a malformed one is reported and not stored;
* several addresses in one cell (``;`` or ``,``): the first is To, the others Cc
  (:mod:`consolidate.mail.contacts`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from consolidate.core.errors import ConsolidateError, Finding, finding
from consolidate.core.roster import RosterError
from consolidate.core.rosterfile import SPREADSHEET_SUFFIXES, _fold, _read_csv, _read_spreadsheet
from consolidate.core.workspace import Campaign
from consolidate.mail.contacts import contacts_for, split_addresses

HEADERS = {
    "code": ("code", "mã", "mã đơn vị", "ma", "ma don vi"),
    "email": ("email", "e-mail", "thư điện tử", "địa chỉ thư điện tử", "địa chỉ email",
              "thu dien tu"),
    "name": ("họ tên", "họ và tên", "name", "người phụ trách", "cán bộ phụ trách", "ho ten"),
    "phone": ("điện thoại", "số điện thoại", "phone", "sđt", "dien thoai"),
}
_ALIASES = {alias: key for key, names in HEADERS.items() for alias in names}
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
ADDRESS_EXPECTED = "dạng ten@ten-mien.vn, không dấu, không khoảng trắng"
NO_ADDRESS = "chưa có địa chỉ"


def address_problem(text: str) -> str:
    """'' when ``text`` is one well-formed address, else what is wrong, in Vietnamese."""
    name, addr = parseaddr(text)
    if not addr or (not name and addr != text.strip()):
        return "không đọc được một địa chỉ"
    local, at, domain = addr.rpartition("@")
    if not at or not local or not domain:
        return "thiếu @ hoặc thiếu phần trước/sau @"
    if len(addr) > 254 or len(local) > 64 or not _LOCAL.fullmatch(local):
        return "phần trước @ có ký tự không được dùng"
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(p) for p in labels) \
            or not labels[-1].isalpha():
        return "tên miền sau @ không hợp lệ"
    return ""


def bare_address(text: str) -> str:
    """'Nguyễn Văn A <a@x.vn>' -> 'a@x.vn' (an address already checked)."""
    return parseaddr(text)[1]


@dataclass
class Loaded:
    """What a contacts file gave: the rows to store and the problems of the others."""

    rows: list[dict[str, Any]]
    findings: list[Finding]


def _read_rows(path: Path) -> list[tuple[int, list[str]]]:
    if not path.is_file():
        raise ConsolidateError("path-missing", path=path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", *SPREADSHEET_SUFFIXES):
        raise ConsolidateError("contacts-file-invalid", file=path.name,
                               detail="chỉ đọc được tệp .csv hoặc .xlsx")
    try:
        return _read_csv(path) if suffix == ".csv" else _read_spreadsheet(path)
    except RosterError as exc:
        raise ConsolidateError("contacts-file-invalid", file=path.name,
                               detail=exc.finding.message) from exc


def _header(rows: list[tuple[int, list[str]]], path: Path) -> tuple[int, dict[str, int]]:
    """The first row naming both a code and an e-mail column (a template has a title above)."""
    for index, (_, cells) in enumerate(rows):
        columns: dict[str, int] = {}
        for j, cell in enumerate(cells):
            key = _ALIASES.get(_fold(cell))
            if key and key not in columns:
                columns[key] = j
        if "code" in columns and "email" in columns:
            return index, columns
    raise ConsolidateError("contacts-file-invalid", file=path.name,
                           detail="không thấy dòng tiêu đề có cột mã (code) và cột thư điện tử "
                                  "(email)")


def match_code(text: str, campaign: Campaign) -> tuple[str | None, list[str]]:
    """(the unit's code, []) when certain; (None, candidates) otherwise.

    An exact code wins; a code without leading zeros (Excel's 58 for 058) is matched only
    when exactly one unit's code has it once zeros are put back."""
    if text in campaign.roster:
        return text, []
    if not text.isdigit():
        return None, []
    found = [u.code for u in campaign.roster if u.code.isdigit()
             and u.code.lstrip("0") == text.lstrip("0") and len(u.code) > len(text)]
    return (found[0], []) if len(found) == 1 else (None, found)


def load_contacts(path: Path, campaign: Campaign) -> Loaded:
    """The rows of a contacts file that can be stored, and a finding per row that cannot."""
    rows = _read_rows(path)
    start, columns = _header(rows, path)
    out: list[dict[str, Any]] = []
    findings: list[Finding] = []
    first_row: dict[str, int] = {}
    now = dt.datetime.now().isoformat(timespec="seconds")
    for number, cells in rows[start + 1:]:
        def get(key: str, cells: list[str] = cells) -> str:
            j = columns.get(key)
            return cells[j].strip() if j is not None and j < len(cells) else ""

        where = {"file": path.name, "row": number}
        code, email = get("code"), get("email")
        if not email:
            continue  # a unit left blank in the template: nothing to merge
        if not code:
            findings.append(finding("contact-missing-code", **where, found=email,
                                    expected="mã đơn vị theo danh mục của đợt báo cáo"))
            continue
        unit, candidates = match_code(code, campaign)
        if unit is None:
            findings.append(_unmatched(code, candidates, campaign, where))
            continue
        if unit != code:
            findings.append(finding("contact-code-padded", **where, found=code,
                                    expected=f"{unit} ({campaign.roster[unit].name})"))
        if unit in first_row:
            findings.append(finding("contact-duplicate", **where, unit=unit,
                                    first=first_row[unit]))
            continue
        first_row[unit] = number
        bad = [(a, p) for a in split_addresses(email) if (p := address_problem(a))]
        if bad:
            findings.append(finding("contact-email-invalid", **where, unit=unit,
                                    found=bad[0][0], expected=f"{bad[0][1]}; {ADDRESS_EXPECTED}"))
            continue
        out.append({"unit": unit, "email": "; ".join(bare_address(a)
                                                     for a in split_addresses(email)),
                    "name": get("name"), "phone": get("phone"), "source": path.name,
                    "updated_at": now})
    return Loaded(out, findings)


def _unmatched(code: str, candidates: list[str], campaign: Campaign,
               where: dict[str, Any]) -> Finding:
    if candidates:
        names = ", ".join(f"{c} ({campaign.roster[c].name})" for c in candidates)
        return finding("contact-code-ambiguous", **where, found=code, expected=names)
    return finding("contact-unknown-unit", **where, found=code, campaign=campaign.id,
                   expected=f"mã của {campaign.root_unit.name} hoặc đơn vị trực thuộc")


def listing(campaign: Campaign) -> list[dict[str, Any]]:
    """Every unit of the campaign with its address or "chưa có địa chỉ": what send uses."""
    known = contacts_for(campaign)
    stored = {r["unit"]: r for r in campaign.workspace.store.contacts(campaign.id)}
    out = []
    for unit in campaign.roster:
        c = known.get(unit.code)
        source = stored[unit.code]["source"] if unit.code in stored and c else (
            "danh mục" if c else "")
        out.append({"code": unit.code, "name": unit.name, "level": unit.level,
                    "parent": unit.parent or "", "email": c.email if c else "",
                    "cc": list(c.cc) if c else [], "officer": c.name if c else "",
                    "phone": c.phone if c else "", "source": source,
                    "text": ", ".join([c.email, *c.cc]) if c else NO_ADDRESS})
    return out
