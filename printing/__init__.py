"""PDF primitives shared by every printed document of the project (DESIGN §8): the embedded fonts with their
fallback chain, Chinese line breaking, paragraph styles, headings, numbered pages, the output helper, markup
escaping and the official stroke order of names.

A plain Python package low in the stack: it imports reportlab and Django utilities, never a project app, so
that organizations, commitments, evaluations and disclosure can all print with it.
"""

from .collation import by_strokes, name_key, strokes
from .layout import (
    BARE,
    CREATOR,
    GREY,
    GRID,
    INK,
    LIGHT,
    MARGIN,
    RULE,
    Heading,
    NumberedCanvas,
    Picture,
    Table,
    date_text,
    escape,
    fit_text,
    metadata,
    month_text,
    output,
    paragraph,
    paragraph_style,
)
from .typeface import (
    BIDI_CONTROLS,
    FALLBACK_PATHS,
    FONT,
    FONT_DIR,
    FONT_PATH,
    MONO,
    REPLACEMENT,
    FallbackFont,
    describe_characters,
    has_glyph,
    missing_characters,
    register_fonts,
    register_mono,
    strip_bidi_controls,
)
from .wrap import Paragraph

__all__ = [
    "BARE",
    "BIDI_CONTROLS",
    "CREATOR",
    "FALLBACK_PATHS",
    "FONT",
    "FONT_DIR",
    "FONT_PATH",
    "GREY",
    "GRID",
    "INK",
    "LIGHT",
    "MARGIN",
    "MONO",
    "REPLACEMENT",
    "RULE",
    "Table",
    "FallbackFont",
    "Heading",
    "NumberedCanvas",
    "Paragraph",
    "Picture",
    "by_strokes",
    "date_text",
    "describe_characters",
    "escape",
    "fit_text",
    "has_glyph",
    "metadata",
    "missing_characters",
    "month_text",
    "name_key",
    "output",
    "paragraph",
    "paragraph_style",
    "register_fonts",
    "register_mono",
    "strip_bidi_controls",
    "strokes",
]
