"""QR code images of a redemption token (segno).

Error correction level M (15 % of the symbol may be damaged), exactly: segno is
told not to boost it, so the level does not depend on how full a version is. The
payload is encoded in alphanumeric mode, which tokens are designed for (see
:mod:`axokey.domain.redemption_codes`); segno refuses a payload that does not fit
that mode rather than silently falling back to a bigger byte-mode symbol. The
quiet zone is 4 modules, as ISO/IEC 18004 requires.
"""

from __future__ import annotations

import io

import segno

ERROR_CORRECTION = "m"
QUIET_ZONE_MODULES = 4
SVG_SCALE = 8
PNG_SCALE_MAX = 32


def qr_code(payload: str) -> segno.QRCode:
    """The QR symbol of a payload; raises ``ValueError`` if not QR-alphanumeric."""
    return segno.make_qr(payload, error=ERROR_CORRECTION, mode="alphanumeric", boost_error=False)


def qr_svg(payload: str) -> bytes:
    """An SVG document (UTF-8, no XML declaration, so it can also be inlined in HTML)."""
    buffer = io.BytesIO()
    qr_code(payload).save(
        buffer, kind="svg", scale=SVG_SCALE, border=QUIET_ZONE_MODULES, xmldecl=False
    )
    return buffer.getvalue()


def qr_png(payload: str, scale: int = 8) -> bytes:
    """A PNG image, ``scale`` pixels per module (1 to 32)."""
    if not 1 <= scale <= PNG_SCALE_MAX:
        raise ValueError(f"scale must be between 1 and {PNG_SCALE_MAX} pixels per module")
    buffer = io.BytesIO()
    qr_code(payload).save(buffer, kind="png", scale=scale, border=QUIET_ZONE_MODULES)
    return buffer.getvalue()


def link_qr_code(url: str) -> segno.QRCode:
    """The QR symbol of a link (a customer's payment page): byte mode, since a URL
    has lower-case letters; same error correction and quiet zone as the tokens'."""
    return segno.make_qr(url, error=ERROR_CORRECTION, mode="byte", boost_error=False)


def link_svg(url: str) -> bytes:
    buffer = io.BytesIO()
    link_qr_code(url).save(
        buffer, kind="svg", scale=SVG_SCALE, border=QUIET_ZONE_MODULES, xmldecl=False
    )
    return buffer.getvalue()


def link_png(url: str, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    link_qr_code(url).save(buffer, kind="png", scale=scale, border=QUIET_ZONE_MODULES)
    return buffer.getvalue()
