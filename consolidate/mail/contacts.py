"""Each unit's e-mail address for a campaign.

The built-in rosters carry no addresses; a custom roster may (its ``email`` column). A
contacts file merged with ``consolidate contacts`` is stored per campaign and wins over
the roster, since it is the newer word on who answers for a unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from consolidate.core.workspace import Campaign


@dataclass(frozen=True)
class Contact:
    code: str
    email: str
    name: str = ""  # the unit's officer
    phone: str = ""


def contacts_for(campaign: Campaign) -> dict[str, Contact]:
    """Unit code -> its contact, for the units of the campaign that have an address."""
    out = {u.code: Contact(u.code, u.email.strip()) for u in campaign.roster.units()
           if u.email and u.email.strip()}
    for row in campaign.workspace.store.contacts(campaign.id):
        if row["unit"] in campaign.roster:
            out[row["unit"]] = Contact(row["unit"], row["email"], row["name"], row["phone"])
    return out
