"""``consolidate collect``: replies read from an IMAP mailbox or a folder of .eml files.

Kept apart from :mod:`consolidate.cli` (which imports it to register the command). The
IMAP password is asked here (or read from ``CONSOLIDATE_IMAP_PASSWORD``), never stored;
everything else is the API's (:func:`consolidate.api.collect`).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import click

from consolidate.cli import (
    CampaignOption,
    JsonOption,
    WorkspaceOption,
    _date,
    _print_findings,
    api,
    emit,
    main,
    progress,
    verb,
)
from consolidate.core.vocabulary import when_text
from consolidate.mail.sources import PASSWORD_ENV


def _show(r: api.CollectResult) -> None:
    c = r.collected
    assert c is not None
    for m in c.messages:
        click.echo(f"Thư của {m.sender or '(không rõ)'}, {when_text(m.date) or 'không rõ ngày'}"
                   f": {m.subject or '(không có tiêu đề)'}")
        if m.outcome == "no-attachment":
            click.echo("  không có tệp đính kèm: hãy đề nghị đơn vị gửi lại")
        for a in m.attachments:
            saved = f" → {a['saved_as']}" if a["saved_as"] and a["saved_as"] != a["name"] else ""
            click.echo(f"  {a['name']}{saved}: {a['outcome_text']}")
    _print_findings([f for f in r.findings if f.severity.value != "info"])
    s = c.stats
    click.echo(f"Đã đọc {s['messages']} thư mới (bỏ qua {s['skipped']} thư đã đọc trước đó): "
               f"lưu {s['saved']} tệp vào thư mục inbox, tiếp nhận {s['accepted']}, từ chối "
               f"{s['rejected'] + s['refused']}, trùng lặp {s['duplicate']}; "
               f"{s['no_attachment']} thư không có tệp đính kèm, {s['left']} tệp không phải "
               "bảng tính để lại trong thư.")
    if any(f.severity.value != "info" and f.file for f in r.findings) and r.feedback:
        click.echo(f"Phiếu góp ý gửi lại các đơn vị: {r.feedback_folder}")


@main.command()
@WorkspaceOption
@CampaignOption
@click.option("--from", "folder", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, metavar="THƯ_MỤC",
              help="Đọc các thư đã lưu (.eml) trong thư mục này thay vì hộp thư IMAP.")
@click.option("--host", default=None, metavar="MÁY_CHỦ",
              help="Máy chủ IMAP, ví dụ imap.gmail.com (mặc định: theo tệp WS/mail.toml).")
@click.option("--port", type=int, default=None, metavar="CỔNG",
              help="Cổng IMAP (mặc định 993 với ssl, 143 với starttls).")
@click.option("--security", type=click.Choice(["ssl", "starttls", "none"]), default=None,
              help="Kiểu bảo mật: ssl (cổng 993), starttls, none (chỉ máy chủ trên máy này).")
@click.option("--user", default=None, metavar="TÀI_KHOẢN", help="Tên đăng nhập hộp thư.")
@click.option("--folder", "mailbox", default=None, metavar="THƯ_MỤC_THƯ",
              help="Thư mục trong hộp thư (mặc định: INBOX).")
@click.option("--since", default=None, callback=_date, metavar="NGÀY",
              help="Chỉ đọc thư từ ngày này (03/07/2024 hoặc 2024-07-03).")
@JsonOption
@verb
def collect(workspace: Path, campaign: str | None, folder: Path | None, host: str | None,
            port: int | None, security: str | None, user: str | None, mailbox: str | None,
            since: dt.date | None, as_json: bool) -> None:
    """Nhận báo cáo qua thư điện tử: đọc thư mới, lưu tệp Excel đính kèm vào inbox và tiếp nhận.

    \b
    Hộp thư IMAP theo mục [imap] của tệp WS/mail.toml (hoặc các tùy chọn); mật khẩu lấy
    từ biến môi trường CONSOLIDATE_IMAP_PASSWORD hoặc được hỏi khi chạy, không bao giờ
    được lưu. Chỉ đọc: không xóa, không chuyển, không đánh dấu đã đọc thư nào. Lần chạy
    sau chỉ đọc thư mới.
    """
    imap: dict[str, Any] = {"host": host, "port": port, "security": security, "user": user,
                            "folder": mailbox}
    password = None
    if folder is None:
        password = os.environ.get(PASSWORD_ENV) or click.prompt(
            "Mật khẩu hộp thư (mật khẩu ứng dụng với Gmail)", hide_input=True,
            err=True)
    with progress("Đang đọc thư") as update:
        result = api.collect(workspace, campaign, folder, imap, password, since,
                             progress=update)
    emit(result, as_json, _show)
