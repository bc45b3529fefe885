"""The embedded fonts and the one place where text is split into runs by font coverage.

Every PDF of the project sets its text in `FONT` (or `MONO` for ballot codes). Both are `FallbackFont`s: a
TrueType font whose characters come from a chain of faces. WenQuanYi Micro Hei sets everything it covers; a
character it lacks comes from HanaMinA (CJK Extension A, compatibility ideographs, many symbols) or HanaMinB
(Extensions B to F), which are read from disk only when the first such character is measured or drawn. Each
subset of 256 glyphs that reportlab embeds belongs to one face, so the PDF holds ordinary subset TrueType
fonts and the text layer maps every glyph back to its character, in UTF-16 with surrogate pairs for the
characters beyond the BMP.

A character no face has is printed as 〓 and recorded: `missing_characters()` collects them for whoever
prints, so that no name is ever shortened silently. Bidirectional controls and other invisible format
characters are dropped, so that text pasted from elsewhere cannot reorder or hide what is printed.
"""

from __future__ import annotations

import contextvars
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont, TTFontFace

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_PATH = FONT_DIR / "wqy-microhei.ttc"
FALLBACK_PATHS = (FONT_DIR / "HanaMinA.ttf", FONT_DIR / "HanaMinB.ttf")
FONT = "WQYMicroHei"
MONO = "WQYMicroHeiMono"
REPLACEMENT = "〓"

# U+202A–U+202E (embeddings and overrides) and U+2066–U+2069 (isolates) would let typed text reorder what
# the reader sees; they never reach a PDF.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_STRIP_BIDI = {ord(c): None for c in BIDI_CONTROLS}

_DROP = ()  # the resolution of a character that is not printed at all

_collector: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar("missing_characters", default=None)


def strip_bidi_controls(text: str) -> str:
    """`text` without bidirectional embedding, override and isolate controls (for metadata and file names)."""
    return text.translate(_STRIP_BIDI)


@contextmanager
def missing_characters() -> Iterator[set[str]]:
    """Collects the characters that no font could print (each printed as 〓) while the block runs.

    Collectors nest: what an inner block finds is also reported to the enclosing one."""
    outer = _collector.get()
    found: set[str] = set()
    token = _collector.set(found)
    try:
        yield found
    finally:
        _collector.reset(token)
        if outer is not None:
            outer.update(found)


def describe_characters(chars: Iterable[str]) -> str:
    """“😀（U+1F600）、🫠（U+1FAE0）” in code point order, for warnings people read."""
    return "、".join(f"{c}（U+{ord(c):04X}）" for c in sorted(set(chars)))


def _invisible(char: str) -> bool:
    # Control and format characters (zero-width joiners, marks, soft hyphens, byte order marks) and variation
    # selectors print nothing by themselves; a missing glyph for them is no loss.
    code = ord(char)
    return (
        unicodedata.category(char) in ("Cc", "Cf")
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
        or char in BIDI_CONTROLS
    )


class _FallbackFaces:
    """The fallback faces, shared by every FallbackFont and parsed from disk on first need."""

    def __init__(self, paths: tuple[Path, ...]):
        self.paths = paths
        self._faces: list[TTFontFace | None] = [None] * len(paths)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.paths)

    def get(self, index: int) -> TTFontFace:
        face = self._faces[index]
        if face is None:
            with self._lock:
                face = self._faces[index]
                if face is None:
                    face = self._faces[index] = TTFontFace(str(self.paths[index]))
        return face

    def loaded(self) -> list[bool]:
        return [face is not None for face in self._faces]


FALLBACKS = _FallbackFaces(FALLBACK_PATHS)


class _State:
    """What one document has used of a FallbackFont: subsets of at most 256 characters, each of one face."""

    namePrefix = "F"

    def __init__(self):
        self.assignments: dict[tuple[int, int], int] = {}  # (face, code point) -> subset * 256 + position
        self.subsets: list[list[int]] = []
        self.faces: list[int] = []
        self.fill: list[int] = []  # next free position below 32 in each subset
        self.open: dict[int, int] = {}  # face -> the subset being filled
        self.internalName = None
        self.frozen = 0

    def assign(self, face: int, code: int) -> int:
        subset = self.open.get(face)
        if subset is None or len(self.subsets[subset]) >= 256:
            subset = len(self.subsets)
            # Position 0 is the missing glyph, 1–31 are filled first, and 32 stays a space in every subset,
            # because PDF word spacing applies to the byte 32 only.
            self.subsets.append([0] + [32] * 32)
            self.faces.append(face)
            self.fill.append(1)
            self.open[face] = subset
            self.assignments.setdefault((face, 32), subset * 256 + 32)
            if code == 32:
                return self.assignments[(face, 32)]
        codes = self.subsets[subset]
        position = self.fill[subset]
        if position < 32:
            codes[position] = code
            self.fill[subset] = position + 1
        else:
            position = len(codes)
            codes.append(code)
        number = self.assignments[(face, code)] = subset * 256 + position
        return number


def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """The ToUnicode CMap of one subset: byte → UTF-16BE, with surrogate pairs beyond the BMP (reportlab's own
    writes five hex digits there, which readers turn into nothing or the wrong character)."""
    entries = []
    for index, code in enumerate(subset):
        units = chr(code).encode("utf-16-be").hex().upper()
        entries.append(f"<{index:02X}> <{units}>")
    blocks = []
    for start in range(0, len(entries), 100):  # at most 100 mappings per block
        chunk = entries[start : start + 100]
        blocks += [f"{len(chunk)} beginbfchar", *chunk, "endbfchar"]
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            *blocks,
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


class FallbackFont(TTFont):
    """A TrueType font drawing each character from the first face of its chain that has it.

    Widths, subsetting and the text layer all go through `_resolve`, so what is measured is what is drawn.
    Characters the primary face covers take a dictionary lookup and nothing else."""

    def __init__(self, name: str, path: Path, *, subfont_index: int = 0, fallbacks: _FallbackFaces = FALLBACKS):
        super().__init__(name, str(path), subfontIndex=subfont_index, shapable=False)
        self.fallbacks = fallbacks
        self._resolved: dict[str, tuple] = {}
        self._widths: dict[str, float] = {}
        primary = self.face
        self._replacement = (0, ord(REPLACEMENT), True) if ord(REPLACEMENT) in primary.charToGlyph else None

    # -- which face draws a character ------------------------------------------------------------------

    def _face(self, index: int) -> TTFontFace:
        return self.face if index == 0 else self.fallbacks.get(index - 1)

    def _resolve(self, char: str) -> tuple:
        """(face index, code point to draw, missing?) or _DROP for a character that prints nothing."""
        resolved = self._resolved.get(char)
        if resolved is not None:
            return resolved
        code = ord(char)
        if code == 0xA0:
            resolved = (0, 32, False)  # a no-break space prints as a space, as reportlab does
        elif code in self.face.charToGlyph and not _invisible(char):
            resolved = (0, code, False)
        elif _invisible(char):
            resolved = _DROP
        else:
            for index in range(len(self.fallbacks)):
                if code in self.fallbacks.get(index).charToGlyph:
                    resolved = (index + 1, code, False)
                    break
            else:
                resolved = self._replacement or (0, 0, True)
        self._resolved[char] = resolved
        if resolved:
            face = self._face(resolved[0])
            self._widths[char] = face.charWidths.get(resolved[1], face.defaultWidth)
        else:
            self._widths[char] = 0
        return resolved

    def covers(self, char: str) -> bool:
        """Whether some face of the chain has a glyph for `char` (invisible characters count as covered)."""
        resolved = self._resolve(char)
        return not resolved or not resolved[2]

    # -- reportlab's font interface --------------------------------------------------------------------

    def stringWidth(self, text, size, encoding="utf8"):
        if isinstance(text, bytes):
            text = text.decode(encoding or "utf8")
        widths = self._widths
        try:
            return 0.001 * size * sum(map(widths.__getitem__, text))
        except KeyError:
            for char in set(text):
                if char not in widths:
                    self._resolve(char)
            return 0.001 * size * sum(map(widths.__getitem__, text))

    def char_widths(self, text: str, size: float) -> list[float]:
        """The width of each character of `text` (for line breaking)."""
        widths = self._widths
        scale = 0.001 * size
        try:
            return [scale * w for w in map(widths.__getitem__, text)]
        except KeyError:
            for char in set(text):
                if char not in widths:
                    self._resolve(char)
            return [scale * w for w in map(widths.__getitem__, text)]

    def _state_for(self, doc) -> _State:
        state = self.state.get(doc)
        if state is None:
            state = self.state[doc] = _State()
        return state

    def splitString(self, text, doc, encoding="utf-8"):
        """Splits text into (subset number, bytes) runs; a run never mixes faces, as a subset has one."""
        if isinstance(text, bytes):
            text = text.decode(encoding)
        state = self._state_for(doc)
        assignments = state.assignments
        resolved_get = self._resolved.get
        collector = _collector.get()
        results = []
        current_subset = -1
        current: list[int] = []
        for char in text:
            resolved = resolved_get(char)
            if resolved is None:
                resolved = self._resolve(char)
            if not resolved:
                continue
            face, code, missing = resolved
            if missing and collector is not None:
                collector.add(char)
            number = assignments.get((face, code))
            if number is None:
                if state.frozen:
                    raise pdfdoc.PDFError(f"Font {self.fontName} is already frozen, cannot add U+{code:04X}")
                number = state.assign(face, code)
            subset = number >> 8
            if subset != current_subset:
                if current:
                    results.append((current_subset, bytes(current)))
                current_subset = subset
                current = []
            current.append(number & 0xFF)
        if current:
            results.append((current_subset, bytes(current)))
        return results

    def getSubsetInternalName(self, subset, doc):
        state = self._state_for(doc)
        if subset < 0 or subset >= len(state.subsets):
            raise IndexError(f"Subset {subset} does not exist in font {self.fontName}")
        if state.internalName is None:
            state.internalName = state.namePrefix + repr(len(doc.fontMapping) + 1)
            doc.fontMapping[self.fontName] = "/" + state.internalName
            doc.delayedFonts.append(self)
        return f"/{state.internalName}+{subset}"

    def addObjects(self, doc):
        """One PDF TrueType font per subset, each embedding a subset of its own face."""
        state = self._state_for(doc)
        state.frozen = 1
        for number, subset in enumerate(state.subsets):
            face = self._face(state.faces[number])
            internal_name = self.getSubsetInternalName(number, doc)[1:]
            base_name = (b"".join((SUBSETN(number), b"+", face.name, face.subfontNameX))).decode("pdfdoc")
            font = pdfdoc.PDFTrueTypeFont()
            font.__Comment__ = f"Font {self.fontName} subset {number}"
            font.Name = internal_name
            font.BaseFont = base_name
            font.FirstChar = 0
            font.LastChar = len(subset) - 1
            font.Widths = pdfdoc.PDFArray([face.getCharWidth(code) for code in subset])
            cmap = pdfdoc.PDFStream()
            cmap.content = to_unicode_cmap(base_name, subset)
            if doc.compression:
                cmap.filters = [pdfdoc.PDFZCompress]
            font.ToUnicode = doc.Reference(cmap, "toUnicodeCMap:" + base_name)
            font.FontDescriptor = face.addSubsetObjects(doc, base_name, subset)
            doc.Reference(font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = font
        del self.state[doc]


_registration_lock = threading.Lock()


def register_fonts() -> None:
    """Registers FONT (and its family, so that markup never asks for another font) once per process. The
    primary face is parsed here; the monospace face and the fallbacks wait until they are first used."""
    with _registration_lock:
        if FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(FallbackFont(FONT, FONT_PATH, subfont_index=0))
            pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT, italic=FONT, boldItalic=FONT)


def register_mono() -> None:
    """Registers MONO, the monospace face of the same collection (ballot codes), with the same fallbacks."""
    with _registration_lock:
        if MONO not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(FallbackFont(MONO, FONT_PATH, subfont_index=1))


def has_glyph(char: str) -> bool:
    """Whether `char` prints with a real glyph from some font of the chain (or is invisible anyway)."""
    register_fonts()
    return pdfmetrics.getFont(FONT).covers(char)
