"""Cleaning of text people type, shared by every app.

Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069) let a text show in a
different order from the one it is stored in ("Trojan source"): a pledge or a name could read one way on a board
and another in the record. They have no use in Chinese text, so they are removed from what is saved and shown.
The one definition lives in the printing module, the lowest layer, which keeps them out of every PDF too.
"""

from printing.typeface import BIDI_CONTROLS
from printing.typeface import strip_bidi_controls as strip_bidi

__all__ = ["BIDI_CONTROLS", "has_bidi", "strip_bidi"]


def has_bidi(text: str) -> bool:
    return bool(text) and any(c in text for c in BIDI_CONTROLS)
