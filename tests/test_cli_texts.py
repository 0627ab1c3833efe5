"""click's own texts in Vietnamese: help pages, usage errors, type errors, through real click."""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from consolidate import cli_texts

# English that click prints and that must not reach the clerks any more (case-sensitive).
ENGLISH = (
    "Usage", "Error", "Options", "Commands", "Show this message", "Show the version",
    "Missing option", "No such command", "No such option", "does not exist", "Invalid value",
    "Try '", "default:", "[default", "required", "is a file", "is not a valid", "Did you mean",
    "Got unexpected", "requires an argument", "Aborted", "[OPTIONS]", "COMMAND", "[ARGS]",
    "TEXT", "INTEGER", "DIRECTORY", "BOOLEAN", "FLOAT",
)


@pytest.fixture(autouse=True)
def vietnamese() -> Iterator[None]:
    """Install for the test, and leave the process as found (cli.py may have installed)."""
    was_installed = cli_texts.installed()
    cli_texts.install()
    yield
    if not was_installed:
        cli_texts.uninstall()


def make_app() -> click.Group:
    """A small CLI shaped like consolidate's: group, version, subcommand, typed options."""

    @click.group()
    @click.version_option("1.2.3", prog_name="thu")
    def app() -> None:
        """Ứng dụng thử."""

    @app.command()
    @click.option("--form", required=True, help="Mã biểu mẫu.")
    @click.option("-w", "--workspace", type=click.Path(exists=True, file_okay=False),
                  default=".", show_default=True, help="Thư mục làm việc.")
    @click.option("--count", type=int, default=1, help="Số bản.")
    @click.option("--ratio", type=float, default=None, help="Tỉ lệ.")
    @click.option("--final", type=bool, default=None, help="Bản cuối.")
    @click.option("--kind", type=click.Choice(["xa", "huyen"]), default=None, help="Cấp.")
    def init(form: str, workspace: str, count: int, ratio: float | None, final: bool | None,
             kind: str | None) -> None:
        """Tạo đợt báo cáo."""
        click.echo(f"đã tạo {form}")

    @app.command()
    def stop() -> None:
        """Dừng giữa chừng."""
        raise click.Abort()

    @app.command()
    def fail() -> None:
        """Lỗi nghiệp vụ."""
        raise click.ClickException("không có đợt báo cáo")

    return app


def run(app: click.Command, *args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def assert_no_english(output: str) -> None:
    found = [phrase for phrase in ENGLISH if phrase in output]
    assert not found, f"English {found} in:\n{output}"


def assert_group_help(result: Result, prog: str) -> None:
    """A group's help page: Vietnamese headings, usage line and built-in option texts."""
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith(f"Cách dùng: {prog} [TÙY_CHỌN] LỆNH [THAM_SỐ]...")
    assert "\nTùy chọn:\n" in out and "\nLệnh:\n" in out
    assert "Hiện hướng dẫn này rồi thoát." in out and "Hiện phiên bản rồi thoát." in out
    assert_no_english(out)


def test_help_pages_are_vietnamese() -> None:
    app = make_app()
    assert_group_help(run(app, "--help"), "app")

    result = run(app, "init", "--help")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Cách dùng: app init [TÙY_CHỌN]" in out
    assert re.search(r"--form GIÁ_TRỊ +Mã biểu mẫu\.  \[bắt buộc\]", out)
    assert re.search(r"-w, --workspace THƯ_MỤC +Thư mục làm việc\.  \[mặc định: \.\]", out)
    assert "--count SỐ_NGUYÊN" in out and "--ratio SỐ_THẬP_PHÂN" in out
    assert "--final ĐÚNG_SAI" in out and "--kind [xa|huyen]" in out
    assert_no_english(out)


def test_version_message_is_vietnamese() -> None:
    result = run(make_app(), "--version")
    assert result.exit_code == 0
    assert result.output == "thu, phiên bản 1.2.3\n"


# click's wording varies a little between 8.1 and 8.4 (e.g. "No such option: --x" before 8.4,
# command suggestions only since 8.4), so each case names fragments found in all of them.
@pytest.mark.parametrize(("args", "expected"), [
    (["init"], ("Lỗi: Thiếu tùy chọn '--form'.",)),
    (["khong-co"], ("Lỗi: Không có lệnh 'khong-co'.",)),
    (["inti"], ("Lỗi: Không có lệnh 'inti'.",)),
    (["init", "--form", "x", "--khong-co"], ("Lỗi: Không có tùy chọn", "--khong-co")),
    (["init", "--fomr", "x"], ("Lỗi: Không có tùy chọn", "--fomr", "Có phải ý bạn là",
                               "--form")),
    (["init", "--form", "x", "--count", "abc"],
     ("Lỗi: Giá trị không hợp lệ cho '--count': 'abc' không phải số nguyên hợp lệ.",)),
    (["init", "--form", "x", "--ratio", "1,5"],
     ("Lỗi: Giá trị không hợp lệ cho '--ratio': '1,5' không phải số thập phân hợp lệ.",)),
    (["init", "--form", "x", "--final", "co"],
     ("Lỗi: Giá trị không hợp lệ cho '--final': 'co' không phải giá trị đúng/sai hợp lệ.",)),
    (["init", "--form", "x", "--kind", "tinh"],
     ("Lỗi: Giá trị không hợp lệ cho '--kind': 'tinh' không thuộc các lựa chọn 'xa', "
      "'huyen'.",)),
    (["init", "--form", "x", "them"], ("Lỗi: Có đối số thừa (them)",)),
    (["init", "--form"], ("Lỗi: Tùy chọn '--form' cần một giá trị.",)),
], ids=["missing-form", "unknown-command", "command-typo", "unknown-option", "option-typo",
        "bad-int", "bad-float", "bad-bool", "bad-choice", "extra-argument", "no-value"])
def test_usage_mistakes_are_explained_in_vietnamese(args: list[str],
                                                    expected: tuple[str, ...]) -> None:
    result = run(make_app(), *args)
    assert result.exit_code == 2, result.output
    assert [e for e in expected if e not in result.output] == [], result.output
    assert_no_english(result.output)


def test_typo_suggestions_are_vietnamese() -> None:
    out = run(make_app(), "init", "--fomr", "x").output
    assert "Có phải ý bạn là" in out and "--form" in out
    out = run(make_app(), "inti").output
    if "'init'" in out:  # click >= 8.4 suggests commands too
        assert "Lỗi: Không có lệnh 'inti'. Có phải ý bạn là 'init'?" in out


def test_usage_line_and_hint_come_before_the_error() -> None:
    result = run(make_app(), "init")
    assert result.output.splitlines()[:2] == [
        "Cách dùng: app init [TÙY_CHỌN]", "Xem hướng dẫn: 'app init --help'."]


@pytest.mark.parametrize(("is_file", "said"), [
    (False, "không tồn tại."),
    (True, "là một tệp, không phải thư mục."),
])
def test_a_workspace_that_is_not_a_folder(tmp_path: Path, is_file: bool, said: str) -> None:
    given = tmp_path / ("bao-cao.xlsx" if is_file else "chua-co")
    if is_file:
        given.write_bytes(b"")
    result = run(make_app(), "init", "--form", "x", "-w", str(given))
    assert result.exit_code == 2
    assert (f"Lỗi: Giá trị không hợp lệ cho '-w' / '--workspace': Thư mục '{given}' "
            f"{said}") in result.output
    assert_no_english(result.output)


def test_valid_call_is_untouched(tmp_path: Path) -> None:
    result = run(make_app(), "init", "--form", "x", "-w", str(tmp_path), "--count", "2")
    assert result.exit_code == 0 and result.output == "đã tạo x\n"


def test_abort_and_command_errors() -> None:
    result = run(make_app(), "stop")
    assert result.exit_code == 1 and result.output == "Đã hủy!\n"
    result = run(make_app(), "fail")
    assert result.exit_code == 1 and result.output == "Lỗi: không có đợt báo cáo\n"


def test_install_is_idempotent() -> None:
    cli_texts.install()
    cli_texts.install()
    assert click.core._ is cli_texts.gettext  # type: ignore[attr-defined]
    assert click.exceptions.ngettext is cli_texts.ngettext
    result = run(make_app(), "init", "--help")
    assert result.output.count("[TÙY_CHỌN]") == 1 and "THƯ_MỤC" in result.output


def test_commands_defined_before_install_are_translated_too() -> None:
    """Help, metavars, path kinds and usage pieces are translated when shown, not defined."""
    cli_texts.uninstall()
    app = make_app()  # click fixes "Show this message..." and the path kind here, in English
    cli_texts.install()
    out = run(app, "init", "--help").output
    assert "-w, --workspace THƯ_MỤC" in out and "Hiện hướng dẫn này rồi thoát." in out
    assert_no_english(out)
    out = run(app, "init", "--form", "x", "-w", "/khong/co/thu-muc").output
    assert "Thư mục '/khong/co/thu-muc' không tồn tại." in out


def test_uninstall_gives_click_its_english_back() -> None:
    cli_texts.uninstall()
    try:
        assert not cli_texts.installed()
        out = run(make_app(), "init").output
        assert "Usage: app init [OPTIONS]" in out and "Error: Missing option '--form'." in out
    finally:
        cli_texts.install()


def test_unknown_texts_fall_back_to_english() -> None:
    assert cli_texts.gettext("Some text click adds one day") == "Some text click adds one day"
    assert cli_texts.ngettext("one {n} thing", "{n} things", 1) == "one {n} thing"
    assert cli_texts.ngettext("one {n} thing", "{n} things", 3) == "{n} things"


def test_kind_words_inside_templates_are_translated() -> None:
    template = cli_texts.gettext("{name} {filename!r} does not exist.")
    assert template.format(name="Directory", filename="x") == "Thư mục 'x' không tồn tại."
    # a click.Path made after install() already says "thư mục", which click title-cases
    assert template.format(name="Thư Mục", filename="x") == "Thư mục 'x' không tồn tại."
    template = cli_texts.gettext("{name} {filename!r} is not readable.")
    assert template.format(name="File", filename="a") == "Không đọc được tệp 'a'."
    assert cli_texts.gettext("Missing {param_type}").format(param_type="option") == (
        "Thiếu tùy chọn")


def click_msgids() -> tuple[set[str], set[tuple[str, str]]]:
    """Every literal click passes to _() and ngettext(), read from the installed source."""
    singles: set[str] = set()
    plurals: set[tuple[str, str]] = set()
    for source in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            literals = [a.value for a in node.args if isinstance(a, ast.Constant)
                        and isinstance(a.value, str)]
            if node.func.id == "_" and literals:
                singles.add(literals[0])
            elif node.func.id == "ngettext" and len(literals) >= 2:
                plurals.add((literals[0], literals[1]))
    return singles, plurals


def test_every_click_msgid_has_a_vietnamese_text() -> None:
    singles, plurals = click_msgids()
    assert len(singles) > 40 and len(plurals) > 4  # the extraction itself works
    assert sorted(singles - cli_texts.MESSAGES.keys()) == []
    assert sorted(plurals - cli_texts.PLURAL_MESSAGES.keys()) == []
    assert "required" in cli_texts.MESSAGES  # passed to _() through a variable


def placeholders(text: str) -> list[str]:
    fields = [f"{{{name}!{conv}}}" for _, name, _, conv in string.Formatter().parse(text)
              if name is not None]
    return sorted(fields + re.findall(r"%\(\w+\)s", text))


@pytest.mark.parametrize(("english", "vietnamese"), [
    *cli_texts.MESSAGES.items(),
    *((e, v) for pair, forms in cli_texts.PLURAL_MESSAGES.items() for e, v in zip(
        pair, forms, strict=True)),
])
def test_translations_keep_the_placeholders(english: str, vietnamese: str) -> None:
    assert placeholders(vietnamese) == placeholders(english)


def test_translations_are_translated() -> None:
    unchanged = {e for e, v in cli_texts.MESSAGES.items() if e == v}
    assert unchanged == {"Choice({choices})", "{text} {deprecated_message}"}


def test_consolidate_help_is_vietnamese() -> None:
    cli_texts.install()
    from consolidate.cli import main

    assert_group_help(CliRunner().invoke(main, ["--help"]), "main")
    result = CliRunner().invoke(main, ["init", "--help"])
    assert result.exit_code == 0, result.output
    assert "[bắt buộc]" in result.output and "[mặc định: .]" in result.output
    assert_no_english(result.output)
