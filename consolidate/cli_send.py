"""``consolidate send``: forms, reminders or feedback to every unit by e-mail.

The SMTP password is asked for here, and only here: from the environment variable
``CONSOLIDATE_SMTP_PASSWORD``, else a hidden prompt; it is handed to the API as an
argument and never written anywhere.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from consolidate.cli import (
    CampaignOption,
    JsonOption,
    WorkspaceOption,
    _print_findings,
    api,
    emit,
    main,
    progress,
    verb,
)

PASSWORD_ENV = "CONSOLIDATE_SMTP_PASSWORD"
KIND_WORDS = {"form": "biểu mẫu", "remind": "thư nhắc", "feedback": "phiếu góp ý"}


def _codes(ctx: click.Context, param: click.Parameter, value: str | None) -> list[str] | None:
    if not value:
        return None
    return [c.strip() for c in value.replace(";", ",").split(",") if c.strip()]


def _password(workspace: Path, user: str | None, dry_run: bool) -> str | None:
    """The password from the environment, else asked for (hidden) when an account is set."""
    if dry_run:
        return None
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    from consolidate.mail.config import load_config

    account = user or load_config(workspace).user
    if not account:
        return None
    return str(click.prompt(f"Mật khẩu thư của {account} (mật khẩu ứng dụng)",
                            hide_input=True, err=True))


def _show(r: api.SendResult) -> None:
    o = r.outcome
    what = KIND_WORDS[r.kind]
    for row in o.sent:
        click.echo(f"  {'Đã ghi' if r.dry_run else 'Đã gửi'} {what} cho {row['name']} "
                   f"({row['unit']}) <{row['to_addr']}>")
    for row in o.not_sent:
        click.echo(f"  Chưa gửi cho {row['name']} ({row['unit']}): {row['reason']}")
    if r.findings:
        _print_findings(r.findings)
    done = "ghi ra tệp .eml" if r.dry_run else "gửi"
    click.echo(f"Đợt {r.campaign}: đã {done} {len(o.sent)} thư ({what}); "
               f"{len(o.already)} đơn vị đã được gửi từ trước; {len(o.not_sent)} đơn vị chưa gửi.")
    if r.dry_run and o.outbox:
        click.echo(f"Các thư (chưa gửi đi) nằm trong thư mục {o.outbox}")
    if o.stopped:
        click.echo("Lần gửi dừng giữa chừng; chạy lại đúng lệnh này để gửi tiếp cho các "
                   "đơn vị còn lại (không gửi trùng).")


@main.command()
@WorkspaceOption
@CampaignOption
@click.option("--remind", "kind", flag_value="remind",
              help="Gửi thư nhắc cho các đơn vị chưa có báo cáo được tiếp nhận.")
@click.option("--feedback", "kind", flag_value="feedback",
              help="Gửi phiếu góp ý cho các đơn vị có tệp bị từ chối hoặc cần lưu ý.")
@click.option("--only", default=None, callback=_codes, metavar="MÃ,MÃ",
              help="Chỉ gửi cho các đơn vị có mã này (cách nhau bằng dấu phẩy).")
@click.option("--dry-run", is_flag=True,
              help="Không gửi: ghi từng thư thành tệp .eml trong thư mục outbox để xem trước.")
@click.option("--again", is_flag=True,
              help="Gửi cả cho đơn vị đã được gửi trước đó (mặc định: bỏ qua).")
@click.option("--host", default=None, metavar="MÁY_CHỦ", help="Máy chủ SMTP (ghi đè mail.toml).")
@click.option("--port", default=None, type=int, metavar="CỔNG", help="Cổng SMTP.")
@click.option("--security", default=None, type=click.Choice(["starttls", "ssl", "none"]),
              help="Kiểu mã hóa: starttls (cổng 587), ssl (cổng 465).")
@click.option("--user", default=None, metavar="TÀI_KHOẢN", help="Tài khoản đăng nhập SMTP.")
@click.option("--sender", default=None, metavar="ĐỊA_CHỈ", help="Địa chỉ người gửi (From).")
@click.option("--sender-name", default=None, metavar="TÊN",
              help="Tên người gửi, ví dụ \"Phòng Văn hóa - Xã hội\".")
@click.option("--ca-file", default=None, metavar="TỆP",
              help="Tệp chứng chỉ CA để tin cậy máy chủ thư riêng của cơ quan.")
@JsonOption
@verb
def send(workspace: Path, campaign: str | None, kind: str | None, only: list[str] | None,
         dry_run: bool, again: bool, as_json: bool, **smtp: Any) -> None:
    """Gửi biểu mẫu (kèm công văn) cho từng đơn vị qua e-mail; nhắc nộp; gửi phiếu góp ý.

    \b
    Cấu hình máy chủ thư trong THƯ_MỤC/mail.toml (xem README). Mật khẩu lấy từ biến môi
    trường CONSOLIDATE_SMTP_PASSWORD hoặc được hỏi khi chạy; không bao giờ được lưu.
    Chạy lại sau khi bị gián đoạn chỉ gửi cho các đơn vị chưa được gửi.
    Ví dụ: consolidate send -w THƯ_MỤC --dry-run
    """
    password = _password(workspace, smtp.get("user"), dry_run)
    with progress("Đang gửi thư") as update:
        result = api.send(workspace, campaign, kind or "form", only, dry_run, again,
                          password, smtp, progress=update)
    emit(result, as_json, _show)
