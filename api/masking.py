"""Masking of personal data (phone numbers, e-mail addresses, addresses) for viewers."""

from __future__ import annotations

from typing import Any

HIDDEN_DIGITS = 7
"""Digits of a phone number that are always hidden; at most the last 4 are ever shown."""


def mask_phone(phone: str) -> str:
    """Hide all but at most the last 4 digits, and always at least 7 of them.

    ``19900001234`` -> ``*******1234``; an 8-digit ``88001234`` -> ``*******4``;
    7 digits or fewer are hidden whole (``****``).  Separators and a leading
    ``+`` are dropped so the shape of the number gives nothing away either.
    """
    digits = "".join(ch for ch in phone if ch.isdigit())
    shown = min(4, max(0, len(digits) - HIDDEN_DIGITS))
    if shown == 0:
        return "****" if phone else ""
    return "*" * (len(digits) - shown) + digits[-shown:]


def mask_email(email: str) -> str:
    """Keep the first character of the name and the domain.

    ``zhang@example.com`` -> ``z****@example.com``.

    The domain says only which provider (or the college) the address is at;
    anything that is not an address (no ``@``) is hidden whole.
    """
    if not email:
        return ""
    local, at, domain = email.rpartition("@")
    if not at or not local:
        return "****"
    return f"{local[0]}****@{domain}"


def mask_address(address: str) -> str:
    """Keep the building: ``3栋2单元401`` -> ``3栋****``; otherwise the first two characters."""
    if not address:
        return ""
    marker = address.find("栋")
    if marker == -1:
        marker = address.find("号楼")
        if marker != -1:
            marker += 1
    keep = (
        address[: marker + 1]
        if 0 <= marker < len(address) - 1
        else address[: min(2, len(address) // 2)]
    )
    return f"{keep}****"


def mask_personal(row: dict[str, Any]) -> dict[str, Any]:
    """A row as a viewer sees it: phone, address and notes masked, the rest as it is.

    Volunteers carry a ``phone`` and an ``email``, households an ``address`` and ``notes``;
    other rows carry none of these, so they pass unchanged.
    """
    shown = dict(row)
    if shown.get("phone"):
        shown["phone"] = mask_phone(shown["phone"])
    if shown.get("email"):
        shown["email"] = mask_email(shown["email"])
    if shown.get("address"):
        shown["address"] = mask_address(shown["address"])
    if shown.get("notes"):
        shown["notes"] = "****"  # free text about residents: names, ages, health
    return shown
