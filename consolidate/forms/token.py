"""The token a form carries: issued with the form, checked when it comes back.

``HMAC(workspace secret, form|version|period|unit)`` binds a blank form to the unit
it was issued for, so a form relabelled to another unit (its ``_meta`` edited to
name a neighbouring commune) is caught at intake. Forms issue it
(``forms.generate``); intake checks it (``intake.ingest``): both sides use this
module, so the message that is signed is defined once.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from consolidate.core.errors import Finding, finding


def unit_token(secret: bytes, form_id: str, version: object, period: str, unit_code: str) -> str:
    """The form's token: binds form, version, period and unit to the issuing workspace."""
    message = "|".join([form_id, str(version), str(period), unit_code]).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def check_token(secret: bytes, issuer: str, meta: Mapping[str, str],
                file: str) -> Finding | None:
    """A relabelled form is refused; a form issued elsewhere (a relay) cannot be checked.

    Tokens are checked only for workbooks this workspace issued (``issuer`` matches):
    a district's consolidated workbook reaching the province carries the district's
    token, which the province cannot verify and does not need to. A *form* issued by
    another workspace (a commune form the district sent out, reaching the province)
    is accepted with a warning, so a form whose issuer was edited away is not silent.
    """
    code = meta.get("unit_code", "")
    if not meta.get("issuer") and not meta.get("token"):
        return finding("token-missing", file=file, found=code, unit=code)
    if meta.get("issuer") != issuer:
        # a roll-up from a lower workspace is the normal relay; a form is flagged
        return None if meta.get("kind") == "rollup" else finding(
            "token-foreign", file=file, found=code, unit=code)
    expected = unit_token(secret, meta.get("form_id", ""), meta.get("form_version", ""),
                          meta.get("period", ""), code)
    if not hmac.compare_digest(expected, meta.get("token", "")):
        return finding("token-mismatch", file=file, found=code, unit=code)
    return None
