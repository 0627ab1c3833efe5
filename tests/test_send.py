"""``consolidate send``: each unit its own form by e-mail, through a real SMTP server on
loopback (tests/mailserver.py), exactly once even when the connection drops half-way."""

from __future__ import annotations

import io
import json
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from consolidate import api
from consolidate.cli import main
from consolidate.core.workspace import Campaign

from .conftest import Filler, make_campaign
from .corpus import GOOD, with_answers
from .mailserver import PASSWORD, USER, MailServer

ADDRESSES = {"01840": "ducxuan@example.vn", "01843": "phungchikien@example.vn",
             "01849": "duongquang@example.vn"}
CONTACT = "Bà Hoàng Thị Lan, Phòng Văn hóa - Xã hội, 0209 3870 123"
OFFICE = "Phòng Văn hóa - Xã hội thành phố Bắc Kạn"


def roster_csv(folder: Path, extra: str = "") -> Path:
    """TP Bắc Kạn with three wards and communes, each with its officer's address."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "danh-muc.csv"
    path.write_text("code,name,level,parent,email\n"
                    "058,Thành phố Bắc Kạn,district,,\n"
                    "01840,Phường Đức Xuân,commune,058,ducxuan@example.vn\n"
                    "01843,Phường Phùng Chí Kiên,commune,058,phungchikien@example.vn\n"
                    "01849,Xã Dương Quang,commune,058,duongquang@example.vn\n" + extra,
                    encoding="utf-8")
    return path


def campaign_with_roster(tmp_path: Path, extra: str = "") -> Campaign:
    camp = make_campaign(tmp_path / "ws", roster=roster_csv(tmp_path / "in", extra))
    api.settings(camp.workspace.path, camp.id, {"contact": CONTACT})
    return camp


def plain(server: MailServer) -> dict[str, object]:
    """SMTP options for the loopback server without TLS or login."""
    return {"host": server.host, "port": server.port, "security": "none",
            "sender": "vhxh@backan.example.vn", "sender_name": OFFICE}


def header_text(msg: EmailMessage, name: str) -> str:
    """A header decoded as RFC 2047 says (adjacent encoded words join without a space), as
    mail programs show it; Python 3.11's address parser puts a space between them."""
    return str(make_header(decode_header(dict(msg.raw_items())[name])))


def attachment(msg: EmailMessage, suffix: str) -> tuple[str, bytes]:
    part = next(p for p in msg.iter_attachments() if p.get_filename().endswith(suffix))
    return part.get_filename(), part.get_content()


def meta_unit(data: bytes) -> str:
    """The unit code in the hidden _meta sheet of an attached form."""
    rows = load_workbook(io.BytesIO(data))["_meta"].iter_rows(values_only=True)
    return {k: v for k, v, *_ in rows}["unit_code"]


def per_recipient(server: MailServer) -> dict[str, int]:
    out: dict[str, int] = {}
    for _, rcpt in server.envelopes:
        for addr in rcpt:
            out[addr] = out.get(addr, 0) + 1
    return out


def test_send_delivers_each_unit_its_own_form_with_vietnamese_subject_and_body(
        tmp_path: Path, smtp_server: MailServer) -> None:
    camp = campaign_with_roster(tmp_path)
    result = api.send(camp.workspace.path, camp.id, smtp=plain(smtp_server))
    assert result.valid and len(result.outcome.sent) == 3
    assert per_recipient(smtp_server) == dict.fromkeys(ADDRESSES.values(), 1)
    for code, address in ADDRESSES.items():
        [msg] = smtp_server.to(address)
        name = camp.roster[code].name
        assert msg["Subject"] == (f"[Thành phố Bắc Kạn] Đề nghị gửi {camp.spec.title} "
                                  f"năm 2024 – {name}")
        assert header_text(msg, "From") == f"{OFFICE} <vhxh@backan.example.vn>"
        assert header_text(msg, "To") == f"{name} <{address}>"
        body = msg.get_body(("plain",)).get_content()
        assert f"Kính gửi: {name}," in body and "trước ngày 03/7/2024" in body
        assert CONTACT in body and "ô màu vàng" in body
        filename, data = attachment(msg, ".xlsx")
        assert filename.startswith(f"{code}_")
        assert meta_unit(data) == code
        # the request letter, written by send when the officer had not written it yet
        letter_name, letter = attachment(msg, ".docx")
        assert letter_name.startswith("Cong-van-de-nghi-bao-cao")
        assert "ĐỀ CƯƠNG" in "\n".join(p.text for p in Document(io.BytesIO(letter)).paragraphs)
    assert {r["unit"] for r in camp.workspace.store.sent(camp.id)} == set(ADDRESSES)
    assert not any(f.code == "mail-letter-missing" for f in result.findings)


def test_request_letter_with_a_vietnamese_name_goes_with_every_form(
        tmp_path: Path, smtp_server: MailServer) -> None:
    camp = campaign_with_roster(tmp_path)
    letter = camp.folder("forms") / "Công văn đề nghị báo cáo Tháng hành động.docx"
    letter.write_bytes(b"PK\x03\x04 not really a docx")
    result = api.send(camp.workspace.path, camp.id, smtp=plain(smtp_server))
    assert not any(f.code == "mail-letter-missing" for f in result.findings)
    for msg in smtp_server.messages:
        name, data = attachment(msg, ".docx")
        assert name == letter.name and data == letter.read_bytes()  # RFC 2231 round trip
        assert "Công văn đề nghị báo cáo" in msg.get_body(("plain",)).get_content()


def test_dry_run_writes_eml_files_and_sends_nothing(tmp_path: Path,
                                                    smtp_server: MailServer) -> None:
    camp = campaign_with_roster(tmp_path)
    runner = CliRunner()
    out = runner.invoke(main, ["send", "-w", str(camp.workspace.path), "--dry-run",
                               "--sender", "vhxh@backan.example.vn"])
    assert out.exit_code == 0, out.output
    outbox = camp.workspace.path / "outbox" / camp.id
    assert str(outbox) in out.output
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 3 and smtp_server.messages == []
    msg = BytesParser(policy=policy.default).parsebytes(files[0].read_bytes())
    assert meta_unit(attachment(msg, ".xlsx")[1]) == "01840"
    # a dry run does not count as sent: the real send still goes to everyone
    result = api.send(camp.workspace.path, camp.id, smtp=plain(smtp_server))
    assert len(result.outcome.sent) == 3 and len(smtp_server.messages) == 3


def test_dropped_connection_then_resume_sends_each_unit_exactly_once(
        tmp_path: Path, smtp_server: MailServer) -> None:
    camp = campaign_with_roster(tmp_path)
    smtp_server.drop_at = 3  # the line drops while the third message goes out
    first = api.send(camp.workspace.path, camp.id, smtp=plain(smtp_server))
    assert first.outcome.stopped and not first.valid
    lost = next(f for f in first.findings if f.code == "mail-connection-lost")
    assert "Đã gửi 2 thư" in lost.message and "chạy lại" in lost.message
    assert len(smtp_server.messages) == 2
    again = api.send(camp.workspace.path, camp.id, smtp=plain(smtp_server))
    assert again.valid and not again.outcome.stopped
    assert [r["unit"] for r in again.outcome.sent] == ["01849"]
    assert sorted(again.outcome.already) == ["01840", "01843"]
    assert per_recipient(smtp_server) == dict.fromkeys(ADDRESSES.values(), 1)
    third = api.send(camp.workspace.path, camp.id, smtp=plain(smtp_server))
    assert third.outcome.sent == [] and len(smtp_server.messages) == 3


def test_only_restricts_the_send_to_the_codes_given(tmp_path: Path,
                                                    smtp_server: MailServer) -> None:
    camp = campaign_with_roster(tmp_path)
    result = CliRunner().invoke(main, [
        "send", "-w", str(camp.workspace.path), "--only", "01843,01849", "--json",
        "--host", smtp_server.host, "--port", str(smtp_server.port), "--security", "none",
        "--sender", "vhxh@backan.example.vn"])
    assert result.exit_code == 0, result.output
    assert {r["unit"] for r in json.loads(result.output)["sent"]} == {"01843", "01849"}
    assert per_recipient(smtp_server) == {ADDRESSES["01843"]: 1, ADDRESSES["01849"]: 1}


def test_unit_without_an_address_is_listed_not_skipped_silently(
        tmp_path: Path, smtp_server: MailServer) -> None:
    camp = campaign_with_roster(tmp_path, "01852,Xã Nông Thượng,commune,058,\n")
    runner = CliRunner()
    out = runner.invoke(main, ["send", "-w", str(camp.workspace.path), "--host",
                               smtp_server.host, "--port", str(smtp_server.port),
                               "--security", "none", "--sender", "vhxh@backan.example.vn"])
    assert out.exit_code == 0, out.output
    assert "Chưa gửi cho Xã Nông Thượng (01852): chưa có địa chỉ e-mail" in out.output
    assert "1 đơn vị chưa gửi" in out.output
    assert len(smtp_server.messages) == 3


def test_remind_goes_only_to_units_without_an_accepted_report(
        tmp_path: Path, smtp_server: MailServer, fill: Filler) -> None:
    camp = campaign_with_roster(tmp_path)
    fill(camp, "01840", GOOD)
    fill(camp, "01843", with_answers(so_tre_em_tham_du="khoảng 700"))  # rejected
    api.ingest(camp.workspace.path)
    result = api.send(camp.workspace.path, camp.id, kind="remind", smtp=plain(smtp_server))
    assert {r["unit"] for r in result.outcome.sent} == {"01843", "01849"}
    assert ADDRESSES["01840"] not in per_recipient(smtp_server)
    msg = smtp_server.to(ADDRESSES["01849"])[0]
    assert msg["Subject"].startswith("[Thành phố Bắc Kạn] Nhắc gửi Báo cáo kết quả")
    assert meta_unit(attachment(msg, ".xlsx")[1]) == "01849"
    # a second run the same day does not remind twice
    assert api.send(camp.workspace.path, camp.id, kind="remind",
                    smtp=plain(smtp_server)).outcome.sent == []


def test_feedback_mails_the_rejected_unit_its_feedback_workbook(
        tmp_path: Path, smtp_server: MailServer, fill: Filler) -> None:
    camp = campaign_with_roster(tmp_path)
    fill(camp, "01840", GOOD)
    fill(camp, "01843", with_answers(so_tre_em_tham_du="khoảng 700"), name="Phùng Chí Kiên.xlsx")
    api.ingest(camp.workspace.path)
    result = api.send(camp.workspace.path, camp.id, kind="feedback", smtp=plain(smtp_server))
    assert [r["unit"] for r in result.outcome.sent] == ["01843"]
    [msg] = smtp_server.messages
    name, data = attachment(msg, ".xlsx")
    assert "gop-y" in name
    assert "Góp ý" in load_workbook(io.BytesIO(data)).sheetnames
    body = msg.get_body(("plain",)).get_content()
    assert '"Phùng Chí Kiên.xlsx"' in body and "chưa được tiếp nhận" in body


def test_starttls_login_and_the_password_is_in_no_file_of_the_workspace(
        tmp_path: Path, smtp_tls_server: MailServer) -> None:
    camp = campaign_with_roster(tmp_path)
    ws = camp.workspace.path
    (ws / "mail.toml").write_text(
        "[smtp]\n"
        f'host = "{smtp_tls_server.host}"\nport = {smtp_tls_server.port}\n'
        f'security = "starttls"\nuser = "{USER}"\nsender_name = "{OFFICE}"\n'
        f'ca_file = "{smtp_tls_server.ca_file}"\n', encoding="utf-8")
    out = CliRunner().invoke(main, ["send", "-w", str(ws)],
                             env={"CONSOLIDATE_SMTP_PASSWORD": PASSWORD})
    assert out.exit_code == 0, out.output
    assert per_recipient(smtp_tls_server) == dict.fromkeys(ADDRESSES.values(), 1)
    assert smtp_tls_server.envelopes[0][0] == USER
    for path in ws.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path


def test_wrong_password_is_refused_with_the_app_password_hint(
        tmp_path: Path, smtp_tls_server: MailServer) -> None:
    camp = campaign_with_roster(tmp_path)
    options = {"host": smtp_tls_server.host, "port": smtp_tls_server.port, "user": USER,
               "ca_file": smtp_tls_server.ca_file}
    out = CliRunner().invoke(main, ["send", "-w", str(camp.workspace.path),
                                    *[f"--{k.replace('_', '-')}={v}" for k, v in options.items()]],
                             env={"CONSOLIDATE_SMTP_PASSWORD": "sai"})
    assert out.exit_code == 1
    assert "mật khẩu ứng dụng" in out.output and smtp_tls_server.messages == []


@pytest.mark.parametrize("host", ["smtp.gmail.com", "10.0.0.5"])
def test_unencrypted_smtp_is_refused_off_loopback(tmp_path: Path, host: str) -> None:
    camp = campaign_with_roster(tmp_path)
    out = CliRunner().invoke(main, ["send", "-w", str(camp.workspace.path), "--host", host,
                                    "--security", "none", "--sender", "a@b.vn"])
    assert out.exit_code == 1 and "không mã hóa" in out.output
    assert camp.workspace.store.sent(camp.id) == []


def test_a_password_in_mail_toml_is_refused(tmp_path: Path) -> None:
    camp = campaign_with_roster(tmp_path)
    (camp.workspace.path / "mail.toml").write_text(
        '[smtp]\nhost = "smtp.gmail.com"\npassword = "abc"\n', encoding="utf-8")
    out = CliRunner().invoke(main, ["send", "-w", str(camp.workspace.path)])
    assert out.exit_code == 1 and "không được lưu mật khẩu" in out.output


def test_a_refused_recipient_is_listed_and_the_others_are_still_sent(
        tmp_path: Path, smtp_server: MailServer) -> None:
    camp = campaign_with_roster(tmp_path)
    smtp_server.refuse = {ADDRESSES["01843"]}
    result = api.send(camp.workspace.path, camp.id, smtp=plain(smtp_server))
    assert [r["unit"] for r in result.outcome.sent] == ["01840", "01849"]
    [refused] = [f for f in result.findings if f.code == "mail-recipient-refused"]
    assert ADDRESSES["01843"] in refused.message and "550" in refused.message
    assert [r["unit"] for r in result.outcome.not_sent] == ["01843"]
    # once the address is fixed (here: the server accepts it), a re-run sends only that one
    smtp_server.refuse = set()
    again = api.send(camp.workspace.path, camp.id, smtp=plain(smtp_server))
    assert [r["unit"] for r in again.outcome.sent] == ["01843"]
    assert per_recipient(smtp_server) == dict.fromkeys(ADDRESSES.values(), 1)


def test_ssl_from_the_first_byte_with_login(tmp_path: Path,
                                            smtp_ssl_server: MailServer) -> None:
    camp = campaign_with_roster(tmp_path)
    result = api.send(camp.workspace.path, camp.id, password=PASSWORD, smtp={
        "host": smtp_ssl_server.host, "port": smtp_ssl_server.port, "security": "ssl",
        "user": USER, "ca_file": smtp_ssl_server.ca_file})
    assert result.valid and len(smtp_ssl_server.messages) == 3


def test_password_is_asked_for_hidden_when_not_in_the_environment(
        tmp_path: Path, smtp_tls_server: MailServer) -> None:
    camp = campaign_with_roster(tmp_path)
    out = CliRunner().invoke(main, [
        "send", "-w", str(camp.workspace.path), "--host", smtp_tls_server.host,
        "--port", str(smtp_tls_server.port), "--user", USER,
        "--ca-file", smtp_tls_server.ca_file], input=PASSWORD + "\n",
        env={"CONSOLIDATE_SMTP_PASSWORD": ""})
    assert out.exit_code == 0, out.output
    assert "Mật khẩu thư của" in out.output and PASSWORD not in out.output
    assert len(smtp_tls_server.messages) == 3


def test_reminder_wording_before_and_after_the_deadline(tmp_path: Path,
                                                        smtp_server: MailServer) -> None:
    camp = campaign_with_roster(tmp_path)  # due 03/7/2024: long past
    api.send(camp.workspace.path, camp.id, kind="remind", only=["01840"],
             smtp=plain(smtp_server))
    api.settings(camp.workspace.path, camp.id, {"deadline": "2099-07-03"})
    api.send(camp.workspace.path, camp.id, kind="remind", only=["01843"],
             smtp=plain(smtp_server))
    late, early = (m.get_body(("plain",)).get_content() for m in smtp_server.messages)
    assert "đã quá thời hạn gửi Báo cáo" in late and "(trước ngày 03/7/2024)" in late
    assert "Xin nhắc thời hạn gửi báo cáo: trước ngày 03/7/2099." in early
    assert "quá thời hạn" not in early


def test_a_template_in_the_workspace_replaces_the_shipped_wording(
        tmp_path: Path, smtp_server: MailServer) -> None:
    camp = campaign_with_roster(tmp_path)
    own = camp.workspace.path / "templates" / "mail_form.txt.j2"
    own.parent.mkdir()
    own.write_text("Gửi {{ unit.name }} biểu mẫu {{ campaign.period_label }}\n\n"
                   "Hạn: {{ campaign.deadline_text }}. Gọi {{ contact }}.\n", encoding="utf-8")
    api.send(camp.workspace.path, camp.id, only=["01849"], smtp=plain(smtp_server))
    [msg] = smtp_server.messages
    assert msg["Subject"] == "Gửi Xã Dương Quang biểu mẫu năm 2024"
    assert msg.get_body(("plain",)).get_content().strip() == (
        f"Hạn: trước ngày 03/7/2024. Gọi {CONTACT}.")


def test_progress_is_told_done_out_of_total(tmp_path: Path, smtp_server: MailServer) -> None:
    camp = campaign_with_roster(tmp_path)
    seen: list[tuple[int, int]] = []
    api.send(camp.workspace.path, camp.id, smtp=plain(smtp_server),
             progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_only_with_a_code_outside_the_campaign_is_refused(tmp_path: Path,
                                                          smtp_server: MailServer) -> None:
    camp = campaign_with_roster(tmp_path)
    out = CliRunner().invoke(main, ["send", "-w", str(camp.workspace.path), "--only", "99999",
                                    "--host", smtp_server.host, "--port", str(smtp_server.port),
                                    "--security", "none", "--sender", "a@b.vn"])
    assert out.exit_code == 1 and "'99999' không thuộc đợt báo cáo" in out.output
    assert smtp_server.messages == []


def test_a_mistyped_setting_in_mail_toml_is_named(tmp_path: Path) -> None:
    camp = campaign_with_roster(tmp_path)
    (camp.workspace.path / "mail.toml").write_text(
        '[smtp]\nhost = "smtp.gmail.com"\nport = "587"\nsender = "a@b.vn"\n', encoding="utf-8")
    out = CliRunner().invoke(main, ["send", "-w", str(camp.workspace.path)])
    assert out.exit_code == 1 and "port = '587' phải là số nguyên" in out.output


def test_a_unit_with_two_addresses_gets_its_form_to_the_first_and_a_copy_to_the_second(
        tmp_path: Path, smtp_server: MailServer) -> None:
    """A contacts cell "a; b": the first address is To, the others Cc, and every one of
    them is a recipient of the envelope (a Cc the server is never told of never arrives)."""
    camp = campaign_with_roster(tmp_path)
    contacts = tmp_path / "danh-ba.csv"
    contacts.write_text("mã,email\n01843,vanhoa@phungchikien.vn; chutich@phungchikien.vn\n",
                        encoding="utf-8")
    assert api.contacts(camp.workspace.path, path=contacts).valid
    api.send(camp.workspace.path, only=["01843"], smtp=plain(smtp_server))
    [msg] = smtp_server.messages
    assert "vanhoa@phungchikien.vn" in str(msg["To"])
    assert str(msg["Cc"]) == "chutich@phungchikien.vn"
    assert per_recipient(smtp_server) == {"vanhoa@phungchikien.vn": 1,
                                          "chutich@phungchikien.vn": 1}
