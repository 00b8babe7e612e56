"""A phone's photo of a customer's QR code, made for the tests: the order's real code
drawn by segno, on a larger grey picture, slightly turned, saved as a JPEG — what the
scanner page sends when a courier photographs the customer's screen."""

from __future__ import annotations

import io

import segno
from PIL import Image, ImageDraw

PHOTO_SIZE = (1600, 1200)


def qr_photo(payload: str, *, turned_degrees: float = 8.0) -> bytes:
    symbol = io.BytesIO()
    segno.make_qr(payload, error="m").save(symbol, kind="png", scale=9, border=4)
    code = Image.open(symbol).convert("L")
    code = code.rotate(turned_degrees, expand=True, fillcolor=255)
    photo = Image.new("L", PHOTO_SIZE, 200)
    draw = ImageDraw.Draw(photo)
    # A phone's screen around the code, and something else in the picture.
    draw.rectangle((380, 140, 1220, 1080), fill=40)
    draw.rectangle((60, 900, 300, 1150), fill=120)
    photo.paste(code, ((PHOTO_SIZE[0] - code.width) // 2, (PHOTO_SIZE[1] - code.height) // 2))
    out = io.BytesIO()
    photo.convert("RGB").save(out, format="JPEG", quality=82)
    return out.getvalue()


def blank_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (180, 190, 200)).save(out, format="JPEG", quality=80)
    return out.getvalue()
