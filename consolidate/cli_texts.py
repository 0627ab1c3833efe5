"""Vietnamese for everything click itself prints: help pages, usage errors, type errors.

The people running ``consolidate`` are clerks in Vietnamese local government. The commands'
own messages are written in Vietnamese, but the frame around them ("Usage:", "Error:",
"Missing option", "Show this message and exit.", "[default: .]", metavars such as ``TEXT``
or ``DIRECTORY``) comes from click, in English. This module puts that frame into Vietnamese.

How, and why this way:

* click 8.x wraps almost every user-facing text in ``_()`` / ``ngettext()``, imported
  per module (``from gettext import gettext as _``) and looked up at call time. click ships
  no message catalogue, so a gettext ``.mo`` file would need a bound domain and a locale on
  the clerk's computer; instead :func:`install` rebinds those two module globals in every
  click module to :func:`gettext` / :func:`ngettext` below, which read :data:`MESSAGES` and
  :data:`PLURAL_MESSAGES`. Unknown msgids fall back to click's English, so a click upgrade
  never breaks the CLI (the tests list any new msgid that still needs a translation).
* A few English words reach the user as *arguments* of a translated template rather than
  through ``_()``: the type name in ``'abc' is not a valid integer``, the path kind in
  ``Directory 'x' does not exist`` (title-cased by click), the parameter kind in deprecation
  warnings. For those templates :func:`gettext` returns a ``str`` subclass whose ``format``
  translates just those arguments (:data:`ARGUMENT_WORDS`).
* Text that does not go through gettext at all, translated by wrapping click methods at
  render time (so commands defined before :func:`install` are covered too):

  - metavars derived from the type name (``TEXT``, ``INTEGER``, ``FLOAT``, ``BOOLEAN``,
    ``FILENAME``, ``FILE``, ``DIRECTORY``, ``PATH``, also inside tuple and choice metavars)
    become :data:`METAVARS` words (``GIÁ_TRỊ``, ``SỐ_NGUYÊN``, ``THƯ_MỤC`` ...), only for
    options and only when the developer set no ``metavar=``. Argument metavars are the
    argument's own name (``PATHS``, ``FOLDER``) chosen by the command's author: give them a
    Vietnamese ``metavar=`` in ``cli.py``; they are not guessed here. Values (choices,
    datetime formats) are never touched;
  - the usage pieces ``[OPTIONS]`` and ``COMMAND [ARGS]...`` (click's defaults only; a
    custom ``options_metavar``/``subcommand_metavar`` is left alone);
  - the help of ``--help``/``--version``/``--yes`` when the option was created before
    :func:`install` (click fixes that text when the decorator runs).

  A ``HelpFormatter`` subclass is not needed: the only English the formatter writes,
  "Usage:", already goes through ``_()``, and post-processing rendered help with search and
  replace would also rewrite the commands' own help texts.

Limits (English that stays): the ``--version`` message and the ``--yes`` prompt if
``click.version_option``/``click.confirmation_option`` ran before :func:`install` (hence:
call it at the top of ``cli.py``); the ``[y/N]`` of ``click.confirm`` (the accepted answers
are English letters); the values ``true/false/yes/no`` of boolean options; operating-system
error texts (``strerror``) inside ``click.File`` errors; exceptions for programming mistakes
raised while the commands are defined.

Only ``consolidate/cli.py`` imports this module; the library never imports click.
"""

from __future__ import annotations

import importlib
import re
import sys
import threading
from collections.abc import Callable
from gettext import gettext as _std_gettext
from gettext import ngettext as _std_ngettext
from typing import Any

__all__ = [
    "ARGUMENT_WORDS", "MESSAGES", "METAVARS", "PLURAL_MESSAGES", "USAGE_PIECES",
    "gettext", "install", "installed", "ngettext", "uninstall",
]

#: Every msgid click passes to ``_()`` (click 8.1 - 8.4), with its Vietnamese text. The
#: placeholders (``{name!r}``, ``{param_hint}``, ``%(prog)s`` ...) are kept exactly, since
#: click fills them with ``str.format`` / ``%`` after the lookup.
MESSAGES: dict[str, str] = {
    # help pages
    "Usage:": "Cách dùng:",
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "Show this message and exit.": "Hiện hướng dẫn này rồi thoát.",
    "Show the version and exit.": "Hiện phiên bản rồi thoát.",
    "%(prog)s, version %(version)s": "%(prog)s, phiên bản %(version)s",
    "default: {default}": "mặc định: {default}",
    "required": "bắt buộc",
    "env var: {var}": "biến môi trường: {var}",
    "(dynamic)": "(tính khi chạy)",
    "deprecated": "ngừng sử dụng",
    "(Deprecated) {text}": "(Ngừng sử dụng) {text}",
    "{text} {deprecated_message}": "{text} {deprecated_message}",
    "Confirm the action without prompting.": "Xác nhận thao tác, không hỏi lại.",
    "Do you want to continue?": "Bạn có muốn tiếp tục không?",
    # usage errors
    "Error: {message}": "Lỗi: {message}",
    "Error: {e.message}": "Lỗi: {e.message}",
    "Try '{command} {option}' for help.": "Xem hướng dẫn: '{command} {option}'.",
    "Try {command!r} for help.": "Xem hướng dẫn: {command!r}.",
    "Missing command.": "Thiếu lệnh.",
    "No such command {name!r}.": "Không có lệnh {name!r}.",
    "No such option {name!r}.": "Không có tùy chọn {name!r}.",
    "No such option: {name}": "Không có tùy chọn: {name}",
    "Missing option": "Thiếu tùy chọn",
    "Missing argument": "Thiếu đối số",
    "Missing parameter": "Thiếu tham số",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "Missing {param_type}": "Thiếu {param_type}",
    "Invalid value: {message}": "Giá trị không hợp lệ: {message}",
    "Invalid value for {param_hint}: {message}": "Giá trị không hợp lệ cho {param_hint}: {message}",
    "Option {name!r} does not take a value.": "Tùy chọn {name!r} không nhận giá trị.",
    "Argument {name!r} takes {nargs} values.": "Đối số {name!r} cần {nargs} giá trị.",
    "Invalid start character for option ({option})":
        "Ký tự đầu của tùy chọn không hợp lệ ({option})",
    "Value must be an iterable.": "Giá trị phải là một danh sách các giá trị.",
    "Aborted!": "Đã hủy!",
    "DeprecationWarning: The command {name!r} is deprecated.":
        "Cảnh báo: lệnh {name!r} đã ngừng sử dụng.",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}":
        "Cảnh báo: lệnh {name!r} đã ngừng sử dụng.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}":
        "Cảnh báo: {param_type} {name!r} đã ngừng sử dụng.{extra_message}",
    # parameter types
    "{value!r} is not a valid {number_type}.": "{value!r} không phải {number_type} hợp lệ.",
    "{value} is not in the range {range}.": "{value} nằm ngoài khoảng {range}.",
    "{value!r} is not a valid boolean.": "{value!r} không phải giá trị đúng/sai hợp lệ.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} không phải giá trị đúng/sai hợp lệ. Các giá trị được chấp nhận: {states}",
    "{value!r} is not a valid UUID.": "{value!r} không phải mã UUID hợp lệ.",
    "Choose from:\n\t{choices}": "Chọn một trong:\n\t{choices}",
    "Choice({choices})": "Choice({choices})",  # repr() for developers, not shown to users
    "file": "tệp",
    "directory": "thư mục",
    "path": "đường dẫn",
    "{name} {filename!r} does not exist.": "{name} {filename!r} không tồn tại.",
    "{name} {filename!r} is a file.": "{name} {filename!r} là một tệp, không phải thư mục.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} là một thư mục, không phải tệp.",
    "{name} {filename!r} is not readable.": "Không đọc được {name} {filename!r}.",
    "{name} {filename!r} is not writable.": "Không ghi được vào {name} {filename!r}.",
    "{name} {filename!r} is not executable.": "Không chạy được {name} {filename!r}.",
    "Could not open file {filename!r}: {message}": "Không mở được tệp {filename!r}: {message}",
    "unknown error": "lỗi không xác định",
    # prompts and terminal helpers
    "Repeat for confirmation": "Nhập lại để xác nhận",
    "Error: The two entered values do not match.": "Lỗi: hai giá trị đã nhập không khớp nhau.",
    "Error: The value you entered was invalid.": "Lỗi: giá trị đã nhập không hợp lệ.",
    "Error: invalid input": "Lỗi: câu trả lời không hợp lệ",
    "Press any key to continue...": "Nhấn phím bất kỳ để tiếp tục...",
    "d": " ngày",  # days in a progress bar's time left: "2 ngày 03:04:05"
    "{editor}: Editing failed": "{editor}: chỉnh sửa không thành công",
    "{editor}: Editing failed: {e}": "{editor}: chỉnh sửa không thành công: {e}",
    "Windows error: {error}": "Lỗi Windows: {error}",
    "Unknown color {colour!r}": "Không có màu {colour!r}",
    "Unknown standard stream '{name}'": "Không có luồng chuẩn '{name}'",
    "Couldn't detect Bash version, shell completion is not supported.":
        "Không xác định được phiên bản Bash, không hỗ trợ tự hoàn thành lệnh.",
    "Shell completion is not supported for Bash versions older than 4.4.":
        "Không hỗ trợ tự hoàn thành lệnh với Bash cũ hơn bản 4.4.",
    # mistakes in the command definitions (developers see these, but they are click's too)
    "Could not determine name for option with declarations {decls!r}":
        "Không xác định được tên của tùy chọn khai báo {decls!r}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument "
    "instead? Did you mean to pass '--{name}'?":
        "Chưa khai báo tùy chọn nào nhưng lại có tên ({name}). Có phải bạn muốn khai báo một "
        "đối số? Hay muốn viết '--{name}'?",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.":
        "Đối số chỉ nhận đúng một khai báo, nhưng có {length}: {decls}.",
    "Name '{name}' defined twice": "Tên '{name}' bị khai báo hai lần",
    "Boolean option {decl!r} cannot use the same flag for true/false.":
        "Tùy chọn đúng/sai {decl!r} không được dùng cùng một cờ cho cả đúng và sai.",
}

#: ``ngettext`` msgids: (singular, plural) -> (Vietnamese for n == 1, for n != 1).
#: Vietnamese nouns do not inflect, but click's two English forms sometimes differ in more
#: than the noun (the "Did you mean" pair), so both forms are kept.
PLURAL_MESSAGES: dict[tuple[str, str], tuple[str, str]] = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("Có đối số thừa ({args})", "Có đối số thừa ({args})"),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("Cần {nargs} giá trị nhưng chỉ có 1.", "Cần {nargs} giá trị nhưng có {len}."),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("Có phải ý bạn là {possibility}?", "(Có phải ý bạn là một trong: {possibilities}?)"),
    ("Did you mean {possibility}?", "(Possible options: {possibilities})"):
        ("Có phải ý bạn là {possibility}?", "(Có thể là: {possibilities})"),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("Tùy chọn {name!r} cần một giá trị.", "Tùy chọn {name!r} cần {nargs} giá trị."),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("{value!r} không phải {choice}.", "{value!r} không thuộc các lựa chọn {choices}."),
    ("{value!r} does not match the format {format}.",
     "{value!r} does not match the formats {formats}."):
        ("{value!r} không đúng dạng {format}.", "{value!r} không đúng dạng nào trong {formats}."),
    ("{len_type} values are required, but {len_value} was given.",
     "{len_type} values are required, but {len_value} were given."):
        ("Cần {len_type} giá trị nhưng có {len_value}.",
         "Cần {len_type} giá trị nhưng có {len_value}."),
}

#: English words click passes as *arguments* into some templates (type names, path kinds,
#: parameter kinds), lower-cased, with their Vietnamese.
ARGUMENT_WORDS: dict[str, str] = {
    "integer": "số nguyên",
    "integer range": "số nguyên",
    "float": "số thập phân",
    "float range": "số thập phân",
    "file": "tệp",
    "directory": "thư mục",
    "path": "đường dẫn",
    "option": "tùy chọn",
    "argument": "đối số",
    "parameter": "tham số",
}

#: Which arguments of which templates carry such words. Other arguments (command names,
#: file names, values typed by the user) are never translated.
_TRANSLATED_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "{value!r} is not a valid {number_type}.": ("number_type",),
    "{name} {filename!r} does not exist.": ("name",),
    "{name} {filename!r} is a file.": ("name",),
    "{name} {filename!r} is a directory.": ("name",),
    "{name} {filename!r} is not readable.": ("name",),
    "{name} {filename!r} is not writable.": ("name",),
    "{name} {filename!r} is not executable.": ("name",),
    "Missing {param_type}": ("param_type",),
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}":
        ("param_type",),
}

#: Metavars click derives from a type's name (``type.name.upper()``), with the Vietnamese
#: placeholder shown instead; underscores as in GNU's Vietnamese ``--help`` pages
#: (``[TÙY_CHỌN]``, ``THƯ_MỤC``). The upper-cased Vietnamese path kinds appear when a
#: ``click.Path`` was created after :func:`install` (its name is then already translated).
METAVARS: dict[str, str] = {
    "INTEGER RANGE": "SỐ_NGUYÊN",
    "FLOAT RANGE": "SỐ_THẬP_PHÂN",
    "TEXT": "GIÁ_TRỊ",
    "INTEGER": "SỐ_NGUYÊN",
    "FLOAT": "SỐ_THẬP_PHÂN",
    "BOOLEAN": "ĐÚNG_SAI",
    "FILENAME": "TỆP",
    "FILE": "TỆP",
    "DIRECTORY": "THƯ_MỤC",
    "PATH": "ĐƯỜNG_DẪN",
    "THƯ MỤC": "THƯ_MỤC",
    "ĐƯỜNG DẪN": "ĐƯỜNG_DẪN",
}

#: click's default usage pieces (``Command.options_metavar``, ``Group.subcommand_metavar``).
USAGE_PIECES: dict[str, str] = {
    "[OPTIONS]": "[TÙY_CHỌN]",
    "COMMAND [ARGS]...": "LỆNH [THAM_SỐ]...",
    "COMMAND1 [ARGS]... [COMMAND2 [ARGS]...]...": "LỆNH1 [THAM_SỐ]... [LỆNH2 [THAM_SỐ]...]...",
}

# Help texts click fixes when a decorator runs: re-translated when the help is rendered.
_CONSTRUCTION_TIME_HELP = (
    "Show this message and exit.",
    "Show the version and exit.",
    "Confirm the action without prompting.",
)

_METAVAR_PATTERN = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(k) for k in sorted(METAVARS, key=len, reverse=True))
    + r")(?!\w)"
)

_CLICK_MODULES = (
    "click.core", "click.exceptions", "click.types", "click.decorators", "click.formatting",
    "click.parser", "click.termui", "click._termui_impl", "click.utils",
    "click.shell_completion", "click._winconsole",
)

_lock = threading.Lock()
# (owner, attribute, original value) for everything install() replaced, newest last.
_patches: list[tuple[Any, str, Any]] = []
_WRAPPED = "_consolidate_cli_texts_original"


def _argument_word(value: Any) -> Any:
    """The Vietnamese of a type/path/parameter kind, lower case; anything else unchanged.

    click title-cases path kinds (``Directory``) and, for a ``click.Path`` made after
    :func:`install`, the kind is Vietnamese already (``Thư Mục``): both become ``thư mục``.
    """
    if not isinstance(value, str):
        return value
    key = value.lower()
    if key in ARGUMENT_WORDS:
        return ARGUMENT_WORDS[key]
    if key in ARGUMENT_WORDS.values():
        return key
    return value


class _Template(str):
    """A translated template whose ``format`` also translates the kind-words it is given.

    Needed because click formats e.g. ``{number_type}`` with the English type name after
    looking the template up, so a plain translated string would still say ``integer``.
    """

    translated: tuple[str, ...]

    def __new__(cls, text: str, translated: tuple[str, ...]) -> _Template:
        obj = super().__new__(cls, text)
        obj.translated = translated
        return obj

    def format(self, /, *args: Any, **kwargs: Any) -> str:
        for key in self.translated:
            if key in kwargs:
                kwargs[key] = _argument_word(kwargs[key])
        text = str.format(self, *args, **kwargs)
        # a sentence that opens with a kind-word ("{name} 'x' không tồn tại.") gets a capital
        if any(self.startswith("{" + key) for key in self.translated):
            text = text[:1].upper() + text[1:]
        return text


def gettext(message: str) -> str:
    """click's ``_()``: the Vietnamese of ``message``, or ``message`` itself if unknown."""
    translated = MESSAGES.get(message)
    if translated is None:
        return message
    arguments = _TRANSLATED_ARGUMENTS.get(message)
    return _Template(translated, arguments) if arguments else translated


def ngettext(singular: str, plural: str, n: int) -> str:
    """click's ``ngettext()``: the Vietnamese form for ``n``, or click's English if unknown."""
    forms = PLURAL_MESSAGES.get((singular, plural))
    if forms is None:
        return singular if n == 1 else plural
    return forms[0] if n == 1 else forms[1]


def _translate_metavar(metavar: str) -> str:
    """Whole words only, so a metavar like ``<TEXT INTEGER>...`` keeps its shape."""
    return _METAVAR_PATTERN.sub(lambda m: METAVARS[m.group(1)], metavar)


def _wrap_make_metavar(original: Callable[..., str]) -> Callable[..., str]:
    """Translate type-name metavars after click built them (its logic varies by version)."""
    choice = importlib.import_module("click.types").Choice

    def make_metavar(self: Any, *args: Any, **kwargs: Any) -> str:
        metavar = original(self, *args, **kwargs)
        # only metavars click made from the type name: not the developer's, not an
        # argument's (its own name), not the choices themselves
        if getattr(self, "metavar", None) is not None or self.param_type_name != "option":
            return metavar
        if isinstance(self.type, choice) and getattr(self, "show_choices", True):
            return metavar
        return _translate_metavar(metavar)

    return make_metavar


def _wrap_collect_usage_pieces(original: Callable[..., list[str]]) -> Callable[..., list[str]]:
    """``[OPTIONS]``/``COMMAND [ARGS]...`` are instance defaults, set before install() runs."""
    def collect_usage_pieces(self: Any, ctx: Any) -> list[str]:
        return [USAGE_PIECES.get(piece, piece) for piece in original(self, ctx)]

    return collect_usage_pieces


def _wrap_get_help_record(original: Callable[..., Any]) -> Callable[..., Any]:
    """The help of click's ready-made options is fixed when their decorator runs."""
    def get_help_record(self: Any, ctx: Any) -> Any:
        record = original(self, ctx)
        english = getattr(self, "help", None)
        if record is None or english not in _CONSTRUCTION_TIME_HELP:
            return record
        names, help_text = record
        if help_text.startswith(english):
            help_text = MESSAGES[english] + help_text[len(english):]
        return names, help_text

    return get_help_record


def _patch_module(module: Any) -> None:
    """Rebind only the stdlib functions: never wrap our own, nor someone else's, twice."""
    for name, ours, stdlib in (("_", gettext, _std_gettext), ("ngettext", ngettext,
                                                                 _std_ngettext)):
        current = getattr(module, name, None)
        if current is stdlib:
            _patches.append((module, name, current))
            setattr(module, name, ours)


def _patch_method(cls: Any, attribute: str, wrapper: Callable[[Any], Any]) -> None:
    """Wrap a method the class itself defines; skip it if already wrapped (module reload)."""
    original = cls.__dict__.get(attribute)
    if original is None or hasattr(original, _WRAPPED):
        return
    replacement = wrapper(original)
    replacement.__name__ = attribute
    replacement.__qualname__ = f"{cls.__qualname__}.{attribute}"
    replacement.__doc__ = original.__doc__
    setattr(replacement, _WRAPPED, original)
    _patches.append((cls, attribute, original))
    setattr(cls, attribute, replacement)


def installed() -> bool:
    """Whether :func:`install` is in effect (tests use it to restore what they found)."""
    return bool(_patches)


def install() -> None:
    """Make click print Vietnamese, for every command, including ones already defined.

    Idempotent and cheap (imports only click's own modules), so ``cli.py`` can call it at
    import time. Call it before the ``@click.version_option`` decorator runs: the version
    message is fixed by that decorator.
    """
    with _lock:
        if _patches:
            return
        for name in _CLICK_MODULES:
            if name == "click._winconsole" and sys.platform != "win32":
                continue  # asserts it runs on Windows
            _patch_module(importlib.import_module(name))
        # a click module this list does not know yet, if already imported
        for name, module in list(sys.modules.items()):
            if name.startswith("click.") and module is not None and name not in _CLICK_MODULES:
                _patch_module(module)

        core = importlib.import_module("click.core")
        for cls_name in ("Parameter", "Option"):
            _patch_method(getattr(core, cls_name), "make_metavar", _wrap_make_metavar)
        _patch_method(core.Option, "get_help_record", _wrap_get_help_record)
        # vars(), not getattr(): click 8.2+ warns when MultiCommand is looked up
        for cls_name in ("Command", "MultiCommand", "Group"):
            cls = vars(core).get(cls_name)
            if isinstance(cls, type):
                _patch_method(cls, "collect_usage_pieces", _wrap_collect_usage_pieces)


def uninstall() -> None:
    """Give click back its English (for tests that must leave the process as they found it).

    ``click.Path`` objects created while installed keep their Vietnamese kind name.
    """
    with _lock:
        while _patches:
            owner, attribute, original = _patches.pop()
            setattr(owner, attribute, original)
