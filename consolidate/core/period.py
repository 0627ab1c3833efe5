"""Reporting periods: what a campaign's period string means and how it is written.

A campaign's period is stored as a short string (``2024``); every text a person
reads (forms, workbooks, Word reports, feedback) names it through :func:`period_label`
so one place decides the wording ("năm 2024").
"""

from __future__ import annotations


def period_label(period: str) -> str:
    """'2024' -> 'năm 2024': the period as a sentence names it."""
    return f"năm {period}"
