"""The files the package ships besides its code: form specs, Word and mail templates.

In the repository they are the top-level folders ``forms/`` and ``templates/``; in an
installed package they are ``consolidate.specs`` and ``consolidate.templates``
(``pyproject.toml`` maps one onto the other). Both are reached only through
``importlib.resources``, so an installed wheel works from any folder.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

SPECS_PACKAGE = "consolidate.specs"
TEMPLATES_PACKAGE = "consolidate.templates"
SPEC_SUFFIX = ".yaml"
TEMPLATE_SUFFIX = ".docx"


def _entries(package: str, suffix: str) -> dict[str, Traversable]:
    return {entry.name[: -len(suffix)]: entry for entry in files(package).iterdir()
            if entry.name.endswith(suffix) and entry.is_file()}


def shipped_specs() -> dict[str, Traversable]:
    """Form id -> the shipped YAML spec."""
    return dict(sorted(_entries(SPECS_PACKAGE, SPEC_SUFFIX).items()))


def shipped_templates() -> dict[str, Traversable]:
    """Template name (a form id, or ``chung``) -> the shipped Word template."""
    return dict(sorted(_entries(TEMPLATES_PACKAGE, TEMPLATE_SUFFIX).items()))


def shipped_text(name: str) -> str:
    """A shipped text template (e.g. ``mail_form.txt.j2``), read as UTF-8."""
    return files(TEMPLATES_PACKAGE).joinpath(name).read_text(encoding="utf-8")
