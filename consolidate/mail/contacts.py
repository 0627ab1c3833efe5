"""Each unit's e-mail address for a campaign.

The built-in rosters carry no addresses; a custom roster may (its ``email`` column). A
contacts file merged with ``consolidate contacts`` is stored per campaign and wins over
the roster, since it is the newer word on who answers for a unit.

A cell may hold several addresses separated by ``;`` or ``,`` (an officer and the office's
shared mailbox): the first is the one the form is sent to (To), the others are copied (Cc).
They are stored as one text, ``"a@x.vn; b@y.vn"``, and split here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from consolidate.core.workspace import Campaign


@dataclass(frozen=True)
class Contact:
    code: str
    email: str
    name: str = ""  # the unit's officer
    phone: str = ""
    cc: tuple[str, ...] = ()  # further addresses of the same cell, copied on every message

    def owns(self, address: str) -> bool:
        """Whether a reply from this address is the unit's own (its first address or a
        copied one): collect warns, and status notes, when it is not."""
        return address.strip().lower() in {a.strip().lower() for a in (self.email, *self.cc)}


def split_addresses(text: str) -> list[str]:
    """'a@x.vn; b@y.vn, c@z.vn' -> the addresses in order, blanks dropped."""
    return [a.strip() for a in re.split(r"[;,]", text or "") if a.strip()]


def _contact(code: str, text: str, name: str = "", phone: str = "") -> Contact:
    first, *rest = split_addresses(text)
    return Contact(code, first, name, phone, tuple(rest))


def contacts_for(campaign: Campaign) -> dict[str, Contact]:
    """Unit code -> its contact, for the units of the campaign that have an address."""
    out = {u.code: _contact(u.code, u.email) for u in campaign.roster.units()
           if split_addresses(u.email)}
    for row in campaign.workspace.store.contacts(campaign.id):
        if row["unit"] in campaign.roster and split_addresses(row["email"]):
            out[row["unit"]] = _contact(row["unit"], row["email"], row["name"], row["phone"])
    return out
