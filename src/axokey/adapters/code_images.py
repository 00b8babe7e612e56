"""Reading a customer's QR code from a photo (Pillow opens it, zxing-cpp decodes it).

For the phones whose browser has no ``BarcodeDetector`` (iPhones, Firefox): the
courier takes a photo with the camera app and the scanner page sends it here.

Only the usual photo formats are opened (Pillow is told which, so that no other
decoder of its many ever runs on what a caller sent), a picture of more than
``MAX_PIXELS`` pixels is refused before it is decoded (a small file can claim a
huge picture), and what is decoded is scaled down to ``DECODE_SIDE_PX`` on its
longer side, in grey: enough for a QR code that fills a fraction of a phone's
photo, and a bounded amount of work. A JPEG is even read at a reduced scale
(``draft``), never at its full 12 or 48 megapixels.
"""

from __future__ import annotations

import io
import warnings

import zxingcpp
from PIL import Image

# What phones' cameras and browsers send: iPhones turn their HEIC photos into JPEG
# when a page asks for an image file.
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP")
MAX_PIXELS = 50_000_000
DECODE_SIDE_PX = 2048


class NotAnImage(Exception):
    """The bytes are not a photo in one of ``IMAGE_FORMATS``, or are damaged."""


class ImageTooLarge(Exception):
    """The picture has more than ``MAX_PIXELS`` pixels."""


def _opened(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # A large picture is refused below by its pixel count, with our error.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=IMAGE_FORMATS)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise NotAnImage(str(error)) from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ImageTooLarge(f"{width}×{height} pixels")
    return image


def read_qr_codes(data: bytes) -> list[str]:
    """The texts of the QR codes in a photo, most prominent first (maybe none).

    Raises ``NotAnImage`` or ``ImageTooLarge``.
    """
    image = _opened(data)
    try:
        image.draft("L", (DECODE_SIDE_PX, DECODE_SIDE_PX))  # JPEG: decode at a smaller scale
        grey = image.convert("L")
        grey.thumbnail((DECODE_SIDE_PX, DECODE_SIDE_PX))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise NotAnImage(str(error)) from None
    finally:
        image.close()
    qr_only = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    found = zxingcpp.read_barcodes(grey, formats=qr_only)
    return [barcode.text for barcode in found if barcode.valid and barcode.text]
