"""AXOKEY: escrow payments for safe drop shipping, released in cascade by a QR-code scan."""

__all__ = ["__version__"]
__version__ = "0.1.0"
