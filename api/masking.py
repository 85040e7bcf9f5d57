"""Masking of personal data (phone numbers, addresses) for viewers."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    """``19900001234`` -> ``199****1234``; separators dropped, short numbers fully hidden."""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    if not digits:
        return "****" if phone else ""
    if len(digits) < 8:
        return "****"
    return f"{digits[:3]}****{digits[-4:]}"


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
