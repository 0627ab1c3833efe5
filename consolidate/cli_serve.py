"""``consolidate serve``: the local web page for the workspace, in the officer's browser.

Kept apart from :mod:`consolidate.cli` (which imports it to register the command); the page
itself is :mod:`consolidate.web`, which calls the same API as every other command.
"""

from __future__ import annotations

import webbrowser
from pathlib import Path

import click

from consolidate.cli import WorkspaceOption, main, verb


@main.command()
@WorkspaceOption
@click.option("--port", default=0, type=click.IntRange(0, 65535), metavar="CỔNG",
              help="Cổng của trang web (mặc định: một cổng còn trống).")
@click.option("--no-browser", is_flag=True, help="Chỉ chạy trang web, không mở trình duyệt.")
@click.option("--allow-remote", is_flag=True,
              help="Cho phép máy khác trong mạng mở trang (mặc định: chỉ máy này). "
              "Không có mật khẩu: chỉ dùng trong mạng tin cậy.")
@verb
def serve(workspace: Path, port: int, no_browser: bool, allow_remote: bool) -> None:
    """Mở trang web để làm mọi việc của đợt báo cáo trong trình duyệt.

    \b
    Trang chạy trên máy này (127.0.0.1), cổng còn trống hoặc --port; dừng bằng Ctrl+C.
    Ví dụ: consolidate serve -w bao-cao
    """
    from consolidate.web.server import make_web_server, page_url

    server = make_web_server(workspace, port, allow_remote)
    url = page_url(server)
    click.echo(f"Trang web tổng hợp báo cáo đang chạy tại {url}")
    click.echo(f"Thư mục làm việc: {Path(workspace).resolve()}. Dừng: nhấn Ctrl+C.")
    if allow_remote:
        click.echo(f"Cảnh báo: máy khác trong mạng mở được trang này qua cổng "
                   f"{server.server_port} của máy này; trang không có mật khẩu.")
    if not no_browser:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Đã dừng trang web.")
    finally:
        server.server_close()
