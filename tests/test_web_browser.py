"""An officer runs a campaign in the real page: headless Chromium (Debian's package) driven
by Playwright against ``consolidate serve``'s own server in a thread.

With ``CONSOLIDATE_SCREENSHOTS=FOLDER`` every page is saved there as a PNG (the README's
``docs/status-board.png`` is the status board's).
"""

from __future__ import annotations

import base64
import io
import os
import re
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from consolidate.web import make_web_server
from consolidate.web.server import page_url

from .helpers import ANSWERS, fill_workbook

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync"]
CID = "thang-hanh-dong-2024-058"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs Debian's chromium (/usr/bin/chromium)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The page of an empty workspace, as ``consolidate serve -w WS`` starts it."""
    ws = tmp_path_factory.mktemp("web") / "bao-cao-bac-kan"
    server = make_web_server(ws)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield page_url(server), ws
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN",
                                  accept_downloads=True)
    context.set_default_timeout(60_000)
    yield context.new_page()
    context.close()


def shot(page: Any, name: str) -> None:
    folder = os.environ.get("CONSOLIDATE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def receive_page(page: Any) -> None:
    """The receive page, once its script listens for files."""
    page.click("text=2. Tiếp nhận")
    page.wait_for_selector("#drop[data-ready]", state="attached")


def drop(page: Any, selector: str, files: list[tuple[str, bytes]]) -> None:
    """Drop files on an element as a file manager does: a real drop event, its DataTransfer
    holding the files."""
    payload = [{"name": n, "b64": base64.b64encode(data).decode()} for n, data in files]
    page.evaluate("""([selector, files]) => {
        const dt = new DataTransfer();
        for (const f of files) {
            const bytes = Uint8Array.from(atob(f.b64), c => c.charCodeAt(0));
            dt.items.add(new File([bytes], f.name));
        }
        const zone = document.querySelector(selector);
        zone.dispatchEvent(new DragEvent("dragenter", {dataTransfer: dt, bubbles: true}));
        zone.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true,
                                                  cancelable: true}));
    }""", [selector, payload])


def wait_for_outcomes(page: Any, rows: int) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll('#results tbody tr').length === n && "
        "!document.querySelector('#results tbody tr.waiting')", arg=rows)


def download(page: Any, link: Any, folder: Path) -> Path:
    with page.expect_download() as info:
        link.click()
    target = folder / info.value.suggested_filename
    info.value.save_as(target)
    return target


def outcomes(page: Any) -> dict[str, str]:
    rows = page.locator("#results tbody tr")
    return {rows.nth(i).locator("td").nth(0).inner_text():
            rows.nth(i).locator("td").nth(1).inner_text() for i in range(rows.count())}


def count_chip(page: Any, status: str) -> str:
    return page.locator("#counts .chip", has_text=status).inner_text()


def document_text(path: Path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_an_officer_runs_a_campaign_in_the_browser(page: Any, site: tuple[str, Path],
                                                   tmp_path: Path) -> None:
    url, ws = site
    # 1. create the campaign, the leading unit chosen from the roster's searchable list
    page.goto(url)
    assert "chưa có đợt báo cáo nào" in page.content()
    choice = "058 – Thành phố Bắc Kạn, Tỉnh Bắc Kạn"
    assert page.locator(f'#units-2024 option[value="{choice}"]').count() == 1
    page.select_option("#form", "thang-hanh-dong")
    page.fill("#period", "2024")
    page.fill("#unit", choice)
    page.fill("#deadline", "03/07/2024")
    page.fill("#signer", "Nguyễn Văn An")
    page.click("#create-form button[type=submit]")
    page.wait_for_url(f"**/c/{CID}/")
    assert "Đã tạo đợt báo cáo" in page.inner_text(".flash")

    # 2. generate the forms and download them all as one .zip
    page.click("text=Tạo biểu mẫu")
    assert "Đã tạo 9 biểu mẫu" in page.inner_text(".flash")
    shot(page, "campaign")
    archive = download(page, page.locator("text=Tải tất cả biểu mẫu (.zip)"), tmp_path)
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        assert len([n for n in names if n.endswith(".xlsx")]) == 9
        blank = {code: zf.read(next(n for n in names if n.startswith(f"{code}_")))
                 for code in ("01840", "01834")}

    # 3. two units fill their forms (one types into the total row: accepted with a note)
    def filled(code: str, answers: dict[str, Any], name: str) -> bytes:
        (tmp_path / f"blank-{code}.xlsx").write_bytes(blank[code])
        return fill_workbook(tmp_path / f"blank-{code}.xlsx", tmp_path / name, answers
                             ).read_bytes()

    noted = {**ANSWERS, "bieu_3": {**ANSWERS["bieu_3"], ("tong", "tham_gia_so_tre_em"): 5}}
    files = [("Báo cáo Đức Xuân.xlsx", filled("01840", ANSWERS, "a.xlsx")),
             ("BC phường NTMK.xlsx", filled("01834", noted, "b.xlsx")),
             ("ghi chú.xlsx", "Số liệu gửi sau".encode())]

    page.click("text=3. Tình hình nộp")
    assert "Chưa nộp: 9" in count_chip(page, "Chưa nộp")

    # 4. drop them on the page: each file's outcome beside its name
    receive_page(page)
    drop(page, "#drop", files)
    wait_for_outcomes(page, 3)
    seen = outcomes(page)
    assert seen == {"Báo cáo Đức Xuân.xlsx": "Đã tiếp nhận",
                    "BC phường NTMK.xlsx": "Đã tiếp nhận, có lưu ý",
                    "ghi chú.xlsx": "Bị từ chối"}
    details = page.inner_text("#results")
    assert "dòng tổng cộng" in details and "không phải bảng tính" in details
    assert "Phường Đức Xuân (01840)" in details
    assert "Đã xử lý 3/3 tệp" in page.inner_text("#count")
    shot(page, "receive")

    # 5. the status board has changed
    page.click("text=3. Tình hình nộp")
    assert "Nộp muộn: 2" in count_chip(page, "Nộp muộn")
    assert "Chưa nộp: 7" in count_chip(page, "Chưa nộp")
    row = page.locator('#board tr[data-code="01840"]')
    assert "Nộp muộn" in row.inner_text() and "Báo cáo Đức Xuân.xlsx" in row.inner_text()
    assert "Cần nhắc: 7 đơn vị" in page.inner_text("#chase")
    shot(page, "status-board")
    page.select_option("select[name=status]", "Nộp muộn")
    page.click(".filters button[type=submit]")
    assert page.locator("#board tbody tr").count() == 2

    # 6. a second version of one unit (through the file picker), then the first one pinned
    receive_page(page)
    more = {**ANSWERS, "bieu_1": {**ANSWERS["bieu_1"], ("xa", "so_tre_em_tham_du"): 800}}
    page.set_input_files("#files", files=[{
        "name": "Đức Xuân sửa.xlsx", "mimeType": "application/octet-stream",
        "buffer": filled("01840", more, "c.xlsx")}])
    wait_for_outcomes(page, 1)
    assert outcomes(page) == {"Đức Xuân sửa.xlsx": "Đã tiếp nhận"}
    page.goto(url + f"c/{CID}/units/01840")
    versions = page.locator("#versions tbody tr")
    assert versions.count() == 2 and "ĐƯỢC TÍNH" in versions.nth(1).inner_text()
    assert "700" in page.inner_text(".changes") and "800" in page.inner_text(".changes")
    versions.nth(0).locator("text=Chọn cố định bản này").click()
    assert "dùng bản từ tệp mã" in page.inner_text(".flash")
    first = page.locator("#versions tbody tr").nth(0).inner_text()
    assert "ĐƯỢC TÍNH" in first and "chọn cố định" in first
    shot(page, "unit")

    # 7. the report: findings first, then the workbook and the Word report
    page.click("text=4. Báo cáo")
    assert page.locator("#checks").count() == 1
    page.click("#build")
    made = page.locator("#made")
    workbook = download(page, made.locator("a.dl-workbook"), tmp_path)
    document = download(page, made.locator("a.dl-word"), tmp_path)
    shot(page, "report")
    sheet = load_workbook(workbook, data_only=True)["Biểu 1"]
    assert 1400 in [c.value for row in sheet.iter_rows() for c in row]  # 700 + 700, pinned
    text = document_text(document)
    assert "thành phố Bắc Kạn" in text and "1.400 trẻ em" in text and "Nguyễn Văn An" in text

    # 8. the mail page, and the list of campaigns
    page.click("text=5. Thư điện tử")
    assert re.search(r"0/\d+ đơn vị có địa chỉ thư", page.inner_text("main"))
    shot(page, "mail")
    page.goto(url)
    assert CID in page.inner_text("table.list")
    shot(page, "index")


def test_a_bad_request_shows_a_vietnamese_page_and_the_site_goes_on(
        page: Any, site: tuple[str, Path]) -> None:
    url, _ = site
    answer = page.goto(url + "c/khong-co-dot-nay/status")
    assert answer.status == 404
    assert "khong-co-dot-nay" in page.inner_text(".error-page")
    shot(page, "error")
    assert page.goto(url).status == 200


def test_no_page_loads_anything_from_elsewhere(page: Any, site: tuple[str, Path]) -> None:
    """The office machine may be offline: every request stays on this server."""
    url, _ = site
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    page.goto(url)
    page.goto(url + f"c/{CID}/receive")
    assert asked and all(a.startswith(url) for a in asked), asked
    assert io  # the module's imports stay used when the flow above is skipped
