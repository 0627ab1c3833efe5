"""Shared fixtures: campaigns in temporary workspaces, forms filled the way a person would."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from consolidate.core.workspace import Campaign, Workspace, init_campaign
from consolidate.forms.generate import generate_forms

from .helpers import fill_workbook, form_path
from .mailserver import (  # noqa: F401 - SMTP servers on loopback (issue 11)
    smtp_server,
    smtp_ssl_server,
    smtp_tls_server,
)

SEED_TABLES = Path(__file__).resolve().parent / "data" / "seed_tables.yaml"
DEADLINE = dt.date(2024, 7, 3)


@pytest.fixture(scope="session")
def seed_tables() -> dict[str, Any]:
    """The published figures of the seeds (a copy of ../shared/seeds/tables.yaml)."""
    return yaml.safe_load(SEED_TABLES.read_text(encoding="utf-8"))


def make_campaign(path: Path, unit: str = "058", form: str = "thang-hanh-dong",
                  roster: str | Path | None = None, period: str = "2024") -> Campaign:
    # the usual deadline (3 July) of the period's year
    deadline = DEADLINE.replace(year=int(period[:4]))
    campaign = init_campaign(path, form, period, unit, deadline=deadline, roster=roster)
    generate_forms(campaign)
    return Workspace(path).campaign(campaign.id)


@pytest.fixture
def district(tmp_path: Path) -> Campaign:
    """TP Bắc Kạn (058) and its eight wards and communes, blank forms generated."""
    return make_campaign(tmp_path / "ws")


Filler = Callable[..., Path]


@pytest.fixture
def fill() -> Filler:
    """Fill a unit's generated form and drop it in the inbox (optionally with a received time)."""

    def _fill(campaign: Campaign, code: str, answers: dict[str, dict[tuple[str, str], Any]],
              name: str | None = None, received: dt.datetime | None = None,
              narrative: dict[str, str] | None = None) -> Path:
        out = campaign.workspace.inbox / (name or f"{code}.xlsx")
        fill_workbook(form_path(campaign, code), out, answers, narrative)
        if received is not None:
            os.utime(out, (received.timestamp(), received.timestamp()))
        return out

    return _fill
