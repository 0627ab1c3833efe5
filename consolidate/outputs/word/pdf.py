"""PDFs of the Word reports, through LibreOffice run headless.

LibreOffice is optional: without it the Word reports are still written, and the
message says so and tells the officer how to get the PDF anyway.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from consolidate.core.errors import ConsolidateError
from consolidate.core.files import atomic_write


def soffice_path() -> str | None:
    """LibreOffice's command, if this machine has it."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(documents: list[Path], timeout: float | None = None) -> list[Path]:
    """PDFs beside the .docx files, through LibreOffice headless with a private profile
    (a running LibreOffice of the user's would otherwise take the job and ignore it)."""
    if not documents:
        return []
    soffice = soffice_path()
    if soffice is None:
        written = "; ".join(str(d) for d in documents)
        raise ConsolidateError(
            "pdf-failed",
            detail="máy chưa cài LibreOffice (không có lệnh soffice). "
                   f"Báo cáo Word đã được ghi: {written}. Hãy cài LibreOffice rồi chạy lại "
                   "với --pdf, hoặc mở tệp .docx và lưu dưới dạng PDF.")
    with tempfile.TemporaryDirectory(prefix="consolidate-pdf-") as tmp:
        work = Path(tmp)
        out = work / "out"
        done = _run(soffice, work, out, documents, timeout or 120 + 30 * len(documents))
        return [_collect(doc, out, done) for doc in documents]


def _run(soffice: str, work: Path, out: Path, documents: list[Path],
         timeout: float) -> subprocess.CompletedProcess[str]:
    """One LibreOffice process for all the documents: starting it is the slow part."""
    command = [soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}",
               "--headless", "--norestore", "--nologo", "--convert-to", "pdf",
               "--outdir", str(out), *(str(d) for d in documents)]
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "HOME": str(work)})
    except subprocess.TimeoutExpired as exc:
        raise ConsolidateError("pdf-failed",
                               detail="LibreOffice không chuyển xong trong thời gian cho phép; "
                                      "báo cáo Word vẫn đã được ghi") from exc


def _collect(doc: Path, out: Path, done: subprocess.CompletedProcess[str]) -> Path:
    """Move one produced PDF beside its .docx, or say why there is none."""
    produced = out / f"{doc.stem}.pdf"
    if not produced.exists():
        detail = (done.stderr or done.stdout or "").strip().splitlines()
        raise ConsolidateError(
            "pdf-failed", file=doc.name,
            detail=f"LibreOffice không chuyển được {doc.name}"
                   + (f" ({detail[-1]})" if detail else "") + "; báo cáo Word vẫn đã được ghi")
    target = doc.with_suffix(".pdf")
    atomic_write(target, produced.read_bytes())
    return target
