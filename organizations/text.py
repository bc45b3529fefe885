"""Cleaning of text people type, shared by every app (this is the lowest layer)."""

# Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069). They let a text show
# in a different order from the one it is stored in ("Trojan source"): a pledge or a name could read one way on
# a board and another in the record. They have no use in Chinese text, so they are removed.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_DROP_BIDI = {ord(c): None for c in BIDI_CONTROLS}


def strip_bidi(text: str) -> str:
    """`text` without bidirectional control characters."""
    return text.translate(_DROP_BIDI) if text else text


def has_bidi(text: str) -> bool:
    return bool(text) and any(c in text for c in BIDI_CONTROLS)
