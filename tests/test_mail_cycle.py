"""The whole cycle by e-mail, against real servers on loopback: forms sent (aiosmtpd), the
communes' replies put in a real mailbox (dovecot), collected and ingested, status showing
the mail, reminders to the units still missing, feedback to the one whose file was refused."""

from __future__ import annotations

import datetime as dt
import io
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from consolidate import api
from consolidate.cli import main

from .helpers import ANSWERS, fill_workbook
from .imapserver import ImapServer, imap_server_fixture  # noqa: F401 - the dovecot fixture
from .mailserver import MailServer
from .test_send import OFFICE, attachment, campaign_with_roster, meta_unit, plain

OFFICER = "vhxh@backan.example.vn"
SENT = dt.datetime(2024, 6, 28, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def filled_reply(sent: EmailMessage, answers: dict, when: dt.datetime,
                 folder: Path) -> EmailMessage:
    """The commune saves the form that came with the mail, types its figures into the
    yellow cells and answers the message with the workbook attached."""
    name, data = attachment(sent, ".xlsx")
    received = folder / f"received-{len(list(folder.iterdir()))}.xlsx"
    received.write_bytes(data)
    filled = fill_workbook(received, folder / f"filled-{received.name}", answers)
    msg = EmailMessage()
    msg["From"], msg["To"] = sent["To"], OFFICER
    msg["Subject"] = "Re: " + str(sent["Subject"])
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = make_msgid(domain="xa.example.vn")
    msg["In-Reply-To"] = sent["Message-ID"]
    msg.set_content("Em gửi báo cáo ạ.")
    msg.add_attachment(filled.read_bytes(), maintype="application",
                       subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       filename=name)
    return msg


def test_send_collect_status_remind_and_feedback_by_mail(
        tmp_path: Path, smtp_server: MailServer, imap_server: ImapServer) -> None:
    camp = campaign_with_roster(tmp_path)
    ws = camp.workspace.path
    smtp = plain(smtp_server)

    sent = api.send(ws, smtp=smtp)
    assert sent.valid and len(smtp_server.messages) == 3
    by_unit = {meta_unit(attachment(m, ".xlsx")[1]): m for m in smtp_server.messages}

    bad = {**ANSWERS, "bieu_1": {**ANSWERS["bieu_1"], ("xa", "nsnn"): "khoảng 4 triệu"}}
    clerk = tmp_path / "clerk"
    clerk.mkdir()
    imap_server.append(filled_reply(by_unit["01840"], ANSWERS, SENT, clerk).as_bytes())
    imap_server.append(filled_reply(by_unit["01843"], bad, SENT, clerk).as_bytes())
    imap = {"host": imap_server.host, "port": imap_server.port, "security": "none",
            "user": imap_server.user}
    got = api.collect(ws, imap=imap, password=imap_server.password)
    assert got.collected is not None and got.collected.stats["messages"] == 2
    assert not got.valid  # Phùng Chí Kiên's money cell cannot be read with certainty

    units = {u["code"]: u for u in api.status(ws).units}
    assert units["01840"]["status"] == "Đúng hạn" and units["01840"]["sent_at"]
    assert units["01840"]["answered_from"] == "ducxuan@example.vn"
    assert units["01843"]["status"] == "Bị từ chối"
    assert units["01849"]["status"] == "Chưa nộp" and not units["01849"]["answered_at"]
    out = CliRunner().invoke(main, ["status", "-w", str(ws), "--chase"]).output
    assert "phungchikien@example.vn" in out and "duongquang@example.vn" in out

    smtp_server.messages.clear()
    reminded = api.send(ws, kind="remind", smtp=smtp)
    assert reminded.valid
    assert sorted(str(m["To"]) for m in smtp_server.messages) == [
        "Phường Phùng Chí Kiên <phungchikien@example.vn>",
        "Xã Dương Quang <duongquang@example.vn>"]
    assert {u["code"]: u["reminders"] for u in api.status(ws).units}["01849"] == 1

    smtp_server.messages.clear()
    assert api.send(ws, kind="feedback", smtp=smtp).valid
    [feedback] = smtp_server.messages
    assert "phungchikien@example.vn" in str(feedback["To"])
    name, data = attachment(feedback, ".xlsx")
    comments = [c.comment.text for s in load_workbook(io.BytesIO(data)).worksheets
                for r in s.iter_rows() for c in r if c.comment]
    assert any("khoảng 4 triệu" in text for text in comments), comments
    assert OFFICE  # the sender's name the messages carry (test_send checks its encoding)
