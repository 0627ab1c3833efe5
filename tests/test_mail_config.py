"""One ``WS/mail.toml`` for both directions: ``[smtp]`` for send, ``[imap]`` for collect,
and a password refused in either table."""

from __future__ import annotations

from pathlib import Path

import pytest

from consolidate.core.errors import ConsolidateError
from consolidate.mail.config import load_config
from consolidate.mail.sources import load_settings

BOTH = """[smtp]
host = "smtp.gmail.com"
port = 587
sender = "vhxh.huyenthu@gmail.com"

[imap]
host = "imap.gmail.com"
user = "vhxh.huyenthu@gmail.com"
"""


def test_send_and_collect_read_their_own_table_of_one_file(tmp_path: Path) -> None:
    (tmp_path / "mail.toml").write_text(BOTH, encoding="utf-8")
    assert load_config(tmp_path).host == "smtp.gmail.com"
    imap = load_settings(tmp_path)
    assert (imap.host, imap.port, imap.security) == ("imap.gmail.com", 993, "ssl")


def test_a_file_with_only_the_mailbox_leaves_send_to_its_options(tmp_path: Path) -> None:
    """The [imap] table is not read as SMTP keys ("khóa không dùng được: imap")."""
    (tmp_path / "mail.toml").write_text("[imap]" + BOTH.split("[imap]")[1], encoding="utf-8")
    assert load_config(tmp_path).host == ""
    assert load_settings(tmp_path).host == "imap.gmail.com"


@pytest.mark.parametrize("table", ["smtp", "imap"])
def test_a_password_in_either_table_is_refused(tmp_path: Path, table: str) -> None:
    text = BOTH.replace(f"[{table}]\n", f"[{table}]\npassword = \"abcd efgh\"\n")
    (tmp_path / "mail.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConsolidateError) as refused:
        load_config(tmp_path) if table == "smtp" else load_settings(tmp_path)
    assert refused.value.code == "mail-password-in-file"
    assert "CONSOLIDATE_IMAP_PASSWORD" in str(refused.value)
