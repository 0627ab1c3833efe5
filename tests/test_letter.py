"""The request letter (issue 11, part 2): seed 003's outline, item for item, from the spec."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from consolidate import api
from consolidate.cli import main
from consolidate.core.workspace import Campaign
from tests.conftest import make_campaign

SEED = Path("/work/shared/seeds/003_473a3ac2266551c3.txt")
if not SEED.exists():
    SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / SEED.name
CONTACT = "Bà Nguyễn Thị B, phòng Lao động - Thương binh và Xã hội, ĐT 0209 3870 123"


def _norm(text: str) -> str:
    """Compare headers as a reader does: case, spacing, the form's '(đồng)', ',...'."""
    text = text.replace("(đồng)", "").replace(",...", "...")
    return " ".join(text.casefold().split())


def seed_outline() -> tuple[list[str], list[tuple[list[str], list[str]]]]:
    """Seed 003's outline: its headings, items and points in order, and each table's
    (group header row, column header row)."""
    text = SEED.read_text(encoding="utf-8")
    part = text[text.index("I. TÌNH HÌNH TRIỂN KHAI THỰC HIỆN"):]
    lines = [ln for ln in part.splitlines() if ln.strip()]
    items, tables = [], []
    for i, line in enumerate(lines):
        if "\t" in line:
            if i + 1 < len(lines) and "\t" in lines[i + 1]:
                tables.append(([c.strip() for c in line.split("\t") if c.strip()],
                               [c.strip() for c in lines[i + 1].split("\t") if c.strip()]))
            continue
        stripped = line.strip().lstrip("- ").strip()
        if re.match(r"([IVX]+|\d+)\. |[a-z]\) ", stripped):
            items.append(stripped)
    return items, tables


def letter_outline(path: Path) -> tuple[list[str], list[tuple[list[str], list[str]]]]:
    doc = docx.Document(str(path))
    texts = [p.text.strip() for p in doc.paragraphs if p.text.strip()]
    start = texts.index("ĐỀ CƯƠNG")
    items = [t.lstrip("- ").strip() for t in texts[start:]
             if re.match(r"-? ?(([IVX]+|\d+)\. |[a-z]\) )", t)]
    tables = []
    for table in doc.tables[2:]:  # header block and signature come first
        groups = [c.text for c in table.rows[0].cells[1:]]
        tables.append(([g for i, g in enumerate(groups) if i == 0 or groups[i - 1] != g],
                       [c.text for c in table.rows[1].cells[1:]]))
    return items, tables


@pytest.fixture
def action_month(tmp_path: Path) -> Campaign:
    camp = make_campaign(tmp_path / "ws")
    api.settings(camp.workspace.path, camp.id, {"contact": CONTACT, "signer": "Đình Văn Sơn"})
    return camp


def test_action_month_letter_reproduces_seed_003_outline_item_for_item(action_month) -> None:
    result = api.letter(action_month.workspace.path, action_month.id)
    assert result.document.parent == action_month.folder("forms")
    items, tables = letter_outline(result.document)
    seed_items, seed_tables = seed_outline()
    assert len(seed_items) == 13 and len(seed_tables) == 3  # the parse found the outline
    assert [i.casefold() for i in items] == [i.casefold() for i in seed_items]
    assert [([_norm(g) for g in gs], [_norm(c) for c in cs]) for gs, cs in tables] == \
        [([_norm(g) for g in gs], [_norm(c) for c in cs]) for gs, cs in seed_tables]


def test_letter_asks_by_the_deadline_and_names_the_contact(action_month) -> None:
    runner = CliRunner()
    out = runner.invoke(main, ["letter", "-w", str(action_month.workspace.path)])
    assert out.exit_code == 0, out.output
    path = Path(out.output.split(": ", 1)[1].strip())
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "trước ngày 03/7/2024" in text
    assert CONTACT in text
    assert "Kính gửi: Ủy ban nhân dân các xã, phường" in text
    assert "Đình Văn Sơn" in "\n".join(c.text for t in docx.Document(str(path)).tables
                                       for r in t.rows for c in r.cells)


def test_rights_form_letter_has_its_own_outline_from_its_yaml(tmp_path: Path) -> None:
    camp = make_campaign(tmp_path / "ws", form="quyen-tre-em")
    path = api.letter(camp.workspace.path, camp.id).document
    doc = docx.Document(str(path))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    spec = camp.spec
    expected = []
    for key, title in spec.sections.items():
        expected += [f"{key}. {title.upper()}",
                     *[f.label for f in spec.narrative if f.section == key]]
    assert headings[:len(expected)] == expected
    captions = [p.text for p in doc.paragraphs if p.runs and p.runs[0].italic
                and p.runs[0].bold]
    assert [c.split(". ")[-1] for c in captions] == [t.title for t in spec.tables]
    assert len(doc.tables) - 2 == len(spec.tables)


def _all_text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


@pytest.mark.libreoffice
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_letter_pdf_shows_every_outline_item_uncut(action_month, tmp_path: Path) -> None:
    result = api.letter(action_month.workspace.path, action_month.id, pdf=True)
    text = subprocess.run(["pdftotext", "-layout", str(result.pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    for item in seed_outline()[0]:
        assert item.casefold() in flat.casefold()
    for header in ("Số điểm phát", "Vận động", "Khám bệnh, chữa bệnh", "Số lượng trẻ em tham"):
        assert header in flat  # the last column of each table is on the page, not cut off
    assert "trước ngày 03/7/2024" in flat
    assert "Đình Văn Sơn" in flat


def test_shipped_letter_template_is_what_its_build_script_makes(tmp_path: Path) -> None:
    import importlib.util
    import zipfile

    folder = Path(__file__).resolve().parents[1] / "templates"
    spec = importlib.util.spec_from_file_location("build_letter", folder / "build_letter.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build(tmp_path)
    with zipfile.ZipFile(built) as new, zipfile.ZipFile(folder / built.name) as old:
        for part in ("word/document.xml", "word/styles.xml"):
            assert new.read(part) == old.read(part), part


def test_a_communes_text_for_the_outlines_new_items_reaches_the_word_report(
        tmp_path: Path, fill) -> None:
    """Items 4–6 of the outline are narrative boxes of the form now: what a commune writes
    there is in the district's report under the same heading, not lost."""
    from tests.helpers import ANSWERS, write_reports

    camp = make_campaign(tmp_path / "ws")
    fill(camp, "01840", ANSWERS, narrative={
        "kinh_phi": "Vận động được 2,5 triệu đồng từ doanh nghiệp trên địa bàn.",
        "tham_gia": "Tổ chức diễn đàn trẻ em cấp xã với 120 em."})
    api.ingest(camp.workspace.path)
    [report] = write_reports(camp)
    texts = [p.text for p in docx.Document(str(report.document)).paragraphs]
    after = texts[texts.index("4. Kinh phí thực hiện"):texts.index("5. Hoạt động hỗ trợ trẻ em")]
    assert any("Vận động được 2,5 triệu đồng" in t and "Đức Xuân" in t for t in after)
    assert any("diễn đàn trẻ em cấp xã với 120 em" in t for t in texts)
