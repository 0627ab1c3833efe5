"""Status knows the mail: when each unit's form went out, the reminders it was sent, when
and from whom its answer came, and the chase list of units still missing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner

from consolidate import api
from consolidate.cli import main
from consolidate.core.workspace import Workspace

from .helpers import ANSWERS, fill_workbook, form_path

ROSTER = """code,name,level,parent,email
900,Huyện Thử,huyện,,phong.lđtbxh@huyen-thu.gov.vn
901,Xã Một,xã,900,vanhoa@xa-mot.gov.vn
902,Xã Hai,xã,900,vanhoa@xa-hai.gov.vn
903,Xã Ba,xã,900,
"""


def _district(tmp_path: Path) -> Path:
    roster = tmp_path / "huyen-thu.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    ws = tmp_path / "ws"
    api.init(ws, "thang-hanh-dong", "2024", "900", dt.date(2024, 7, 3), roster)
    api.forms(ws)
    return ws


def _mail(ws: Path) -> None:
    """What send and collect leave in the store: forms out to 901 and 902, a reminder to
    902 (and a dry run that sent nothing), 901's answer from a personal address."""
    camp = Workspace(ws).campaign()
    store = camp.workspace.store
    for unit, to in (("901", "vanhoa@xa-mot.gov.vn"), ("902", "vanhoa@xa-hai.gov.vn")):
        store.record_sent({"campaign": camp.id, "unit": unit, "kind": "form", "to_addr": to,
                           "message_id": f"<{unit}@test>", "sent_at": "2024-06-10T08:00:00"})
    store.record_sent({"campaign": camp.id, "unit": "902", "kind": "remind",
                       "to_addr": "vanhoa@xa-hai.gov.vn", "message_id": "<r902@test>",
                       "sent_at": "2024-07-04T09:15:00"})
    store.record_sent({"campaign": camp.id, "unit": "903", "kind": "form", "to_addr": "x@y",
                       "message_id": "<d903@test>", "sent_at": "2024-06-10T08:00:00",
                       "dry_run": 1, "path": "outbox/903.eml"})
    fill_workbook(form_path(camp, "901"), camp.workspace.inbox / "901.xlsx", ANSWERS)
    api.ingest(ws)
    store.record_received({"campaign": camp.id, "source": "folder:/mail",
                           "message_key": "<a901@mail>", "unit": "901",
                           "from_addr": "Nguyễn Thị Hoa <hoa.nguyen@gmail.com>",
                           "date": "2024-06-20T16:40:00+07:00", "read_at": "2024-06-21T08:00:00",
                           "outcome": "attachments"})


def test_status_says_when_each_form_went_out_was_chased_and_answered(tmp_path: Path) -> None:
    ws = _district(tmp_path)
    _mail(ws)
    units = {u["code"]: u for u in api.status(ws).units}
    assert units["901"]["sent_at"] == "2024-06-10T08:00:00"
    assert units["901"]["answered_from"].endswith("<hoa.nguyen@gmail.com>")
    assert "hoa.nguyen@gmail.com, không phải địa chỉ của đơn vị (vanhoa@xa-mot.gov.vn)" \
        in units["901"]["note"]
    assert units["902"]["reminders"] == 1 and units["902"]["reminded_at"].startswith("2024-07-04")
    assert units["903"]["sent_at"] == ""  # a dry run's .eml never left the office
    out = CliRunner().invoke(main, ["status", "-w", str(ws)]).output
    assert "Gửi biểu mẫu" in out and "10/06/2024 08:00" in out and "20/06/2024 16:40" in out


def test_the_chase_list_is_one_command_with_each_units_address(tmp_path: Path) -> None:
    ws = _district(tmp_path)
    _mail(ws)
    chase = api.status(ws, chase=True).units
    assert {u["code"]: u["email"] for u in chase} == {
        "900": "phong.lđtbxh@huyen-thu.gov.vn", "902": "vanhoa@xa-hai.gov.vn", "903": ""}
    everyone = api.status(ws)  # the board: every unit, and the same chase list beside them
    assert everyone.chase == chase and len(everyone.units) > len(chase)
    result = CliRunner().invoke(main, ["status", "-w", str(ws), "--chase"])
    assert result.exit_code == 0
    assert "Còn 3 đơn vị cần nhắc" in result.output and "--remind" in result.output
    assert "vanhoa@xa-hai.gov.vn" in result.output and "Xã Một" not in result.output


def test_a_reply_from_a_copied_address_of_the_unit_is_its_own(tmp_path: Path) -> None:
    """A unit's contacts cell "a; b": an answer from b (copied on the form's mail) is the
    unit's, not a stranger's; one from anywhere else still is."""
    ws = _district(tmp_path)
    contacts = tmp_path / "danh-ba.csv"
    contacts.write_text("mã,email\n902,vanhoa@xa-hai.gov.vn; chutich@xa-hai.gov.vn\n",
                        encoding="utf-8")
    assert api.contacts(ws, path=contacts).valid
    camp = Workspace(ws).campaign()
    for key, sender in (("<c@mail>", "chutich@xa-hai.gov.vn"), ("<s@mail>", "ai.do@gmail.com")):
        camp.workspace.store.record_received({
            "campaign": camp.id, "source": "folder:/mail", "message_key": key, "unit": "902",
            "from_addr": sender, "read_at": "2024-06-21T08:00:00", "outcome": "attachments"})
    note = {u["code"]: u["note"] for u in api.status(ws).units}["902"]
    assert "chutich@xa-hai.gov.vn" not in note
    assert "ai.do@gmail.com, không phải địa chỉ của đơn vị" in note
