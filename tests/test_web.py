"""The web page's safety rules and its doors onto the API, through Flask's test client and a
real server thread (``consolidate serve``'s own server)."""

from __future__ import annotations

import http.cookiejar
import io
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from consolidate import api
from consolidate.core.workspace import Campaign
from consolidate.web import create_app, make_web_server
from consolidate.web.common import upload_name
from consolidate.web.server import page_url

from .helpers import ANSWERS, fill_workbook, form_path

CID = "thang-hanh-dong-2024-058"


def token(client: FlaskClient) -> str:
    page = client.get("/").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


@pytest.fixture
def app(district: Campaign) -> Flask:
    return create_app(district.workspace.path)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def filled(campaign: Campaign, code: str, out: Path, answers: dict[str, Any] | None = None
           ) -> bytes:
    return fill_workbook(form_path(campaign, code), out, answers or ANSWERS).read_bytes()


# --------------------------------------------------------------------------- safety


def test_a_post_without_the_csrf_token_is_refused(client: FlaskClient) -> None:
    for data in ({}, {"csrf_token": "forged"}):
        answer = client.post(f"/c/{CID}/close", data=data)
        assert answer.status_code == 403
        assert "Yêu cầu bị từ chối" in answer.get_data(as_text=True)
    assert not api.status(client.application.config["WORKSPACE"], CID).closed
    answer = client.post(f"/c/{CID}/close", data={"csrf_token": token(client)})
    assert answer.status_code == 302
    assert api.status(client.application.config["WORKSPACE"], CID).closed


def test_the_csrf_token_may_come_in_a_header(client: FlaskClient) -> None:
    answer = client.post(f"/c/{CID}/receive", headers={"X-CSRF-Token": token(client),
                                                       "Accept": "application/json"})
    assert answer.status_code == 200 and answer.json == {"files": []}


@pytest.mark.parametrize("path", [
    "forms/../../consolidate.sqlite", "forms/..%2F..%2Fconsolidate.sqlite",
    "forms/%2Fetc%2Fpasswd", "forms//etc/passwd", "archive/x.xlsx", "inbox/a.xlsx",
    "..%2F.secret", "forms/../../.secret", "forms/nothing-here.xlsx",
])
def test_a_download_outside_the_output_folders_is_not_found(client: FlaskClient,
                                                             path: str) -> None:
    answer = client.get(f"/c/{CID}/files/{path}", follow_redirects=True)
    assert answer.status_code == 404
    assert b"SQLite" not in answer.data


def test_a_form_downloads_from_its_folder(client: FlaskClient, district: Campaign) -> None:
    name = form_path(district, "01840").name
    answer = client.get(f"/c/{CID}/files/forms/{name}")
    assert answer.status_code == 200 and answer.data == form_path(district, "01840").read_bytes()
    assert "attachment" in answer.headers["Content-Disposition"]


def test_an_oversized_upload_is_refused_in_vietnamese(district: Campaign) -> None:
    app = create_app(district.workspace.path, MAX_CONTENT_LENGTH=50_000)
    client = app.test_client()
    big = io.BytesIO(b"x" * 60_000)
    answer = client.post(f"/c/{CID}/receive", data={"csrf_token": token(client),
                                                    "files": [(big, "to.xlsx")]})
    assert answer.status_code == 413
    assert "Tải lên quá lớn" in answer.get_data(as_text=True)
    assert not district.workspace.inbox.exists() or not any(district.workspace.inbox.iterdir())


def test_too_many_files_at_once_are_refused(district: Campaign) -> None:
    client = create_app(district.workspace.path, MAX_FILES=2).test_client()
    files = [(io.BytesIO(b"x"), f"{n}.xlsx") for n in range(3)]
    answer = client.post(f"/c/{CID}/receive", data={"csrf_token": token(client), "files": files},
                         headers={"Accept": "application/json"})
    assert answer.status_code == 413 and "tối đa" in answer.json["error"]


def test_a_request_from_another_machine_is_refused_unless_allowed(district: Campaign) -> None:
    remote = {"REMOTE_ADDR": "192.168.1.20"}
    client = create_app(district.workspace.path).test_client()
    answer = client.get("/", environ_base=remote)
    assert answer.status_code == 403 and "từ chối" in answer.get_data(as_text=True)
    assert client.get("/", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    allowed = create_app(district.workspace.path, allow_remote=True).test_client()
    assert allowed.get("/", environ_base=remote).status_code == 200


def test_a_page_asked_under_another_host_name_is_refused(client: FlaskClient) -> None:
    """A web page elsewhere that rebinds its name to 127.0.0.1 still names its own host."""
    assert client.get("/", headers={"Host": "evil.example:8000"}).status_code == 400
    assert client.get("/", headers={"Host": "127.0.0.1:8000"}).status_code == 200


def test_upload_names_keep_vietnamese_and_lose_their_path() -> None:
    assert upload_name("Báo cáo Đức Xuân.xlsx") == "Báo cáo Đức Xuân.xlsx"
    assert upload_name("../../etc/passwd") == "passwd"
    assert upload_name("C:\\Users\\lan\\..\\Báo cáo.xlsx") == "Báo cáo.xlsx"
    assert upload_name("..xlsx") == "xlsx"
    assert upload_name(".secret") == "secret"
    assert upload_name("a<b>:c?.xlsx") == "a b c .xlsx"
    assert upload_name("") == upload_name("..") == "tep-tai-len"
    assert len(upload_name("x" * 500 + ".xlsx")) <= 120


def test_an_upload_lands_in_the_inbox_under_its_name(client: FlaskClient, district: Campaign,
                                                     tmp_path: Path) -> None:
    data = filled(district, "01840", tmp_path / "a.xlsx")
    sent = {"csrf_token": token(client),
            "files": [(io.BytesIO(data), "../Báo cáo Đức Xuân.xlsx")]}
    answer = client.post(f"/c/{CID}/receive", data=sent, headers={"Accept": "application/json"})
    (got,) = answer.json["files"]
    assert got["outcome"] == "accepted" and got["unit"] == "01840"
    assert got["unit_name"] == "Phường Đức Xuân" and got["outcome_text"] == "đã tiếp nhận"
    assert (district.workspace.inbox / "Báo cáo Đức Xuân.xlsx").read_bytes() == data
    other = filled(district, "01840", tmp_path / "b.xlsx",
                   {"bieu_3": {("xa", "tham_gia_so_tre_em"): 9}})
    sent = {"csrf_token": token(client), "files": [(io.BytesIO(other), "Báo cáo Đức Xuân.xlsx")]}
    client.post(f"/c/{CID}/receive", data=sent)
    assert (district.workspace.inbox / "Báo cáo Đức Xuân (2).xlsx").read_bytes() == other
    assert len(api.history(district.workspace.path, "01840", CID).versions) == 2


def test_uploads_without_script_get_a_page_of_outcomes(client: FlaskClient, district: Campaign,
                                                       tmp_path: Path) -> None:
    sent = {"csrf_token": token(client),
            "files": [(io.BytesIO(filled(district, "01834", tmp_path / "a.xlsx")), "a.xlsx"),
                      (io.BytesIO(b"PK\x03\x04 broken"), "b.xlsx")]}
    page = client.post(f"/c/{CID}/receive", data=sent).get_data(as_text=True)
    assert "Đã tiếp nhận" in page and "Bị từ chối" in page and "LỖI" in page


# --------------------------------------------------------------------------- the server


@pytest.fixture
def server(district: Campaign) -> Iterator[str]:
    srv = make_web_server(district.workspace.path)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield page_url(srv)
    finally:
        srv.shutdown()
        srv.server_close()


def browser() -> tuple[urllib.request.OpenerDirector, str]:
    """An opener with its own cookie jar: one session, as a browser tab has."""
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())), ""


def fetch(opener: urllib.request.OpenerDirector, url: str, data: bytes | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(request, timeout=60) as answer:
            return answer.status, answer.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = "consolidate-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; "
            f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    return body + data + f"\r\n--{boundary}--\r\n".encode(), boundary


def test_a_crash_in_one_request_does_not_stop_the_server(server: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    opener, _ = browser()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("hỏng")

    monkeypatch.setattr(api, "status", broken)
    status, page = fetch(opener, server + f"c/{CID}/status")
    assert status == 500 and "Đã xảy ra lỗi" in page and "Traceback" not in page
    monkeypatch.undo()
    status, page = fetch(opener, server + f"c/{CID}/status")
    assert status == 200 and "Tình hình nộp" in page


def test_two_uploads_at_once_are_both_stored(server: str, district: Campaign,
                                             tmp_path: Path) -> None:
    """Two officers drop files at the same moment: the workspace lock takes them in turn."""
    opener, _ = browser()
    _, page = fetch(opener, server)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    bodies = {code: filled(district, code, tmp_path / f"{code}.xlsx")
              for code in ("01834", "01840")}
    answers: dict[str, tuple[int, str]] = {}
    start = threading.Barrier(2)

    def upload(code: str) -> None:
        body, boundary = multipart(f"{code}.xlsx", bodies[code])
        start.wait()
        answers[code] = fetch(opener, server + f"c/{CID}/receive", body, {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-CSRF-Token": csrf, "Accept": "application/json"})

    threads = [threading.Thread(target=upload, args=(code,)) for code in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [answers[c][0] for c in bodies] == [200, 200]
    assert all('"outcome":"accepted"' in answers[c][1] for c in bodies)
    units = {u["code"]: u for u in api.status(district.workspace.path, CID).units}
    assert units["01834"]["status"] != "Chưa nộp" and units["01840"]["status"] != "Chưa nộp"


def test_serve_prints_where_the_page_is(district: Campaign) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "consolidate", "serve", "-w", str(district.workspace.path),
         "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found and "đang chạy tại" in line, line
        opener, _ = browser()
        status, page = fetch(opener, found.group(0))
        assert status == 200 and "Tổng hợp báo cáo công tác trẻ em" in page
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# --------------------------------------------------------------------------- pages and verbs


def test_a_campaign_is_created_from_an_uploaded_roster(tmp_path: Path) -> None:
    client = create_app(tmp_path / "ws").test_client()
    assert "chưa có đợt báo cáo nào" in client.get("/").get_data(as_text=True)
    roster = ("mã,tên,cấp,mã cấp trên\nT1,Tỉnh Thử,tỉnh,\nX1,Xã Một,xã,T1\n"
              "X2,Xã Hai,xã,T1\n").encode()
    answer = client.post("/campaigns", data={
        "csrf_token": token(client), "form": "thang-hanh-dong", "period": "2024",
        "unit": "T1", "deadline": "03/07/2024", "roster": "file", "signer": "Nguyễn Văn A",
        "roster_file": (io.BytesIO(roster), "danh mục.csv")}, follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Đã tạo đợt báo cáo thang-hanh-dong-2024-T1" in page
    (camp,) = api.campaigns(tmp_path / "ws")
    assert len(camp.roster) == 3 and camp.settings["signer"] == "Nguyễn Văn A"
    assert camp.deadline is not None and camp.deadline.isoformat() == "2024-07-03"


def test_a_refused_init_says_why_in_the_api_s_words(tmp_path: Path) -> None:
    client = create_app(tmp_path / "ws").test_client()
    answer = client.post("/campaigns", data={
        "csrf_token": token(client), "form": "thang-hanh-dong", "period": "năm ngoái",
        "unit": "058", "roster": "2024"})
    assert answer.status_code == 400
    with pytest.raises(api.ConsolidateError) as refused:
        api.init(tmp_path / "other", "thang-hanh-dong", "năm ngoái", "058")
    assert str(escape(refused.value.finding.message)) in answer.get_data(as_text=True)
    assert not (tmp_path / "ws" / "consolidate.sqlite").exists()


def test_an_unknown_campaign_is_not_found(client: FlaskClient) -> None:
    answer = client.get("/c/khong-co/status")
    assert answer.status_code == 404 and "khong-co" in answer.get_data(as_text=True)


def test_settings_change_only_what_was_edited(client: FlaskClient, district: Campaign) -> None:
    page = client.post(f"/c/{CID}/settings", data={
        "csrf_token": token(client), "signer": "Trần Thị B", "deadline": "03/7/2024"},
        follow_redirects=True).get_data(as_text=True)
    assert "Người ký" in page and "Trần Thị B" in page
    camp = api.campaigns(district.workspace.path)[0]
    assert camp.settings.get("signer") == "Trần Thị B" and "deadline" not in camp.settings


def test_the_status_board_counts_and_filters(client: FlaskClient, district: Campaign,
                                             tmp_path: Path) -> None:
    sent = {"csrf_token": token(client),
            "files": [(io.BytesIO(filled(district, "01840", tmp_path / "a.xlsx")), "a.xlsx")]}
    client.post(f"/c/{CID}/receive", data=sent)
    page = client.get(f"/c/{CID}/status").get_data(as_text=True)
    assert "Nộp muộn: <b>1</b>" in page and "Chưa nộp: <b>8</b>" in page
    assert "Cần nhắc: 8 đơn vị" in page and "Nhắc gửi" in page
    only = client.get(f"/c/{CID}/status", query_string={"status": "Nộp muộn"}).get_data(
        as_text=True)
    assert only.count('data-code="') == 1 and 'data-code="01840"' in only
    found = client.get(f"/c/{CID}/status", query_string={"q": "đức xuân"}).get_data(as_text=True)
    assert found.count('data-code="') == 1


def test_the_mail_password_is_used_once_and_never_kept(client: FlaskClient,
                                                       district: Campaign) -> None:
    (district.workspace.path / "mail.toml").write_text(
        '[smtp]\nhost = "mail.example.vn"\nsender = "ldtbxh@example.vn"\n', encoding="utf-8")
    secret = "mat-khau-bi-mat-123"
    page = client.post(f"/c/{CID}/mail/send", data={
        "csrf_token": token(client), "kind": "remind", "dry_run": "1", "password": secret,
    }).get_data(as_text=True)
    assert "đã ghi ra tệp .eml 0 thư" in page and "chưa có địa chỉ e-mail" in page
    assert secret not in page
    for path in district.workspace.path.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_the_board_counts_per_district_on_a_province(tmp_path: Path) -> None:
    roster = tmp_path / "danh-muc.csv"
    roster.write_text("mã,tên,cấp,mã cấp trên\nT1,Tỉnh Thử,tỉnh,\nH1,Huyện Một,huyện,T1\n"
                      "H2,Huyện Hai,huyện,T1\nX1,Xã Một,xã,H1\nX2,Xã Hai,xã,H1\n"
                      "X3,Xã Ba,xã,H2\n", encoding="utf-8")
    api.init(tmp_path / "ws", "thang-hanh-dong", "2024", "T1", roster=roster)
    made = api.forms(tmp_path / "ws")
    form = next(p for p in made.paths if p.name.startswith("X1_"))
    api.ingest(tmp_path / "ws", [fill_workbook(form, tmp_path / "x1.xlsx", ANSWERS)])
    client = create_app(tmp_path / "ws").test_client()
    page = client.get("/c/thang-hanh-dong-2024-T1/status").get_data(as_text=True)
    table = page[page.index("Theo đơn vị cấp trên"):page.index('id="board"')]
    rows = re.findall(r"<tr><td><a [^>]*>([^<]+)</a></td>(.*?)</tr>", table, re.S)
    counts = {name: re.findall(r'<td class="num">(?:<b>)?(\d*)', cells) for name, cells in rows}
    # columns: Đúng hạn, Nộp muộn, Qua báo cáo tổng hợp, Bị từ chối, Chưa nộp, Cộng
    assert counts["Huyện Một"] == ["1", "", "", "", "1", "2"]  # no deadline: on time
    assert counts["Huyện Hai"] == ["", "", "", "", "1", "1"]
    assert counts["Tỉnh Thử"] == ["", "", "", "", "3", "3"]
    only = client.get("/c/thang-hanh-dong-2024-T1/status",
                      query_string={"parent": "Huyện Một"}).get_data(as_text=True)
    assert re.findall(r'data-code="(\w+)"', only) == ["X1", "X2"]


def test_the_figures_export_to_a_table_to_download(client: FlaskClient, district: Campaign,
                                                   tmp_path: Path) -> None:
    filled(district, "01840", tmp_path / "a.xlsx")
    api.ingest(district.workspace.path, [tmp_path / "a.xlsx"])
    page = client.post(f"/c/{CID}/export", data={"csrf_token": token(client),
                                                 "what": "figures"}).get_data(as_text=True)
    assert "Đã xuất" in page
    name = re.search(r'files/exports/([^"]+\.csv)"', page).group(1)  # type: ignore[union-attr]
    table = client.get(f"/c/{CID}/files/exports/{name}").data.decode("utf-8-sig")
    assert table.startswith('"campaign",') and "01840" in table and "Phường Đức Xuân" in table


def test_replies_saved_as_eml_files_are_collected_from_the_page(
        client: FlaskClient, district: Campaign, tmp_path: Path) -> None:
    from email.message import EmailMessage
    from email.utils import make_msgid

    msg = EmailMessage()
    msg["From"], msg["To"] = "ducxuan@example.vn", "ldtbxh@example.vn"
    msg["Subject"], msg["Message-ID"] = "Báo cáo Tháng hành động", make_msgid()
    msg.set_content("Gửi lại biểu mẫu đã điền.")
    msg.add_attachment(filled(district, "01840", tmp_path / "a.xlsx"), maintype="application",
                       subtype="octet-stream", filename="Đức Xuân.xlsx")
    page = client.post(f"/c/{CID}/mail/collect", data={
        "csrf_token": token(client), "files": [(io.BytesIO(msg.as_bytes()), "thư.eml")],
    }).get_data(as_text=True)
    assert "Đã đọc 1 thư mới" in page and "tiếp nhận 1" in page
    assert "Đức Xuân.xlsx: đã tiếp nhận" in page
    units = {u["code"]: u["status"] for u in api.status(district.workspace.path, CID).units}
    assert units["01840"] != "Chưa nộp"
