"""Line breaking for Chinese paragraphs: whole words, no orphans, no line starting with a closing mark.

reportlab's CJK wrapping breaks before any character that does not fit. Official forms do not: a short word
stays on one line (“支部委员会”, not “支部委员／会”), the last line of a paragraph is not a lone character
when the line above can give it company, and a line never starts with “，” or “）” (such a mark hangs
into the margin that every style reserves on the right). `Paragraph` does this with the same line objects
reportlab draws, so nothing else of reportlab is changed; words come from a jieba segmenter that is built
on first need, and a paragraph that fits on one line never asks it.
"""

from __future__ import annotations

import threading
import unicodedata

from reportlab.lib.textsplit import ALL_CANNOT_END, ALL_CANNOT_START
from reportlab.pdfbase.pdfmetrics import getAscentDescent, getFont, stringWidth
from reportlab.platypus.paragraph import FragLine, ParaLines, cjkFragSplit
from reportlab.platypus.paragraph import Paragraph as _ReportlabParagraph
from reportlab.rl_config import _FUZZ

# Closing marks that may not start a line: reportlab's (Japanese) list and the Chinese full-width marks.
CANNOT_START = frozenset(ALL_CANNOT_START + "，。、；：！？）》」』】〕〗”’…％·‧・—～")
# Opening marks that may not end a line.
CANNOT_END = frozenset(ALL_CANNOT_END + "（《「『【〔〖“‘")
# Words up to this length are kept whole; a longer word (a long name, a URL) may break inside if it must.
WORD_MAX = 6
# A word is carried to the next line whole if that leaves at most this many characters' room at the line end
# (and no more than 40% of the line): on a line of ten characters or more no word of five is ever cut.
CARRY = 4
# Terms of the campaign that the general dictionary splits but a form keeps together. (It already reads
# 党支部委员会 as 党支部 + 委员会, so a line may end after 党支部 but never inside 委员会.)
TERMS = (
    "创先争优",
    "公开承诺",
    "践诺",
    "销号",
)

# How acceptable a line break between two characters is, best first.
GOOD, LONG, SHORT, NEVER = 0, 1, 2, 3  # word boundary; inside a long word; inside a short word; forbidden

_segmenter = None
_segmenter_lock = threading.Lock()


def _words(text: str) -> list[str]:
    global _segmenter
    if _segmenter is None:
        with _segmenter_lock:
            if _segmenter is None:
                import rjieba

                segmenter = rjieba.Jieba()
                for term in TERMS:
                    segmenter.add_word(term, 100_000, None)
                _segmenter = segmenter
    return _segmenter.cut(text)


def _alnum(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in ".%-_/:@")


def break_levels(text: str) -> list[int]:
    """For each position 1..len-1 of `text`, how acceptable a line break before that character is
    (index 0 is unused)."""
    levels = [GOOD] * len(text)
    offset = 0
    for word in _words(text):
        inside = SHORT if len(word) <= WORD_MAX else LONG
        for i in range(offset + 1, offset + len(word)):
            levels[i] = inside
        offset += len(word)
    for i in range(1, len(text)):
        char, before = text[i], text[i - 1]
        if char in CANNOT_START or before in CANNOT_END or char.isspace():
            levels[i] = NEVER
        elif before.isspace():
            levels[i] = GOOD
        elif _alnum(char) and _alnum(before):
            levels[i] = max(levels[i], LONG)
    if levels:
        levels[0] = NEVER
    return levels


def _visible(chars: list[str]) -> int:
    """Characters of a line that are neither punctuation nor space."""
    return sum(1 for c in chars if c and not unicodedata.category(c).startswith(("P", "Z")))


def _break_segment(chars: list[str], widths: list[float], widths_for_line, first_line: int) -> list[tuple[int, int]]:
    """Lines (start, end) of characters that hold no forced line break."""
    n = len(chars)
    if sum(widths) <= widths_for_line(first_line) + _FUZZ:
        return [(0, n)]
    # Inline objects without text (rare) count as a character that never starts a line.
    levels = break_levels("".join(c or "\ufffc" for c in chars))
    for i, c in enumerate(chars):
        if not c:
            levels[i] = NEVER
    lines: list[tuple[int, int]] = []
    start = 0
    while start < n:
        limit = widths_for_line(first_line + len(lines)) + _FUZZ
        width = widths[start]
        i = start + 1
        while i < n and width + widths[i] <= limit:
            width += widths[i]
            i += 1
        if i >= n:
            lines.append((start, n))
            break
        # chars[i] does not fit: a closing mark hangs into the margin, otherwise break at the best place.
        if chars[i] in CANNOT_START and (i + 1 >= n or chars[i + 1] not in CANNOT_START):
            end = i + 1
        else:
            end = _best_break(levels, widths, start, i, limit)
        lines.append((start, end))
        start = end
    _avoid_orphan(chars, widths, lines, levels, widths_for_line, first_line)
    return lines


def _best_break(levels: list[int], widths: list[float], start: int, overflow: int, limit: float) -> int:
    """The last good place to break before `overflow`: a word boundary, then inside a long word, then inside
    a short one, as long as the line stays reasonably full (a word is carried over whole, but a line is not
    left half empty for it); if even a forbidden place is all there is, the line is cut where it is full."""
    room = min(0.4 * limit, CARRY * max(widths[overflow], 1.0))
    for wanted in (GOOD, LONG, SHORT):
        gap = 0.0
        for j in range(overflow, start, -1):
            if j < overflow:
                gap += widths[j]
            if gap > room and wanted < SHORT:
                break
            if levels[j] <= wanted:
                return j
    return overflow


def _avoid_orphan(chars, widths, lines, levels, widths_for_line, first_line) -> None:
    """A last line of a single character takes a word (or a character) from the line above when it fits."""
    if len(lines) < 2:
        return
    (prev_start, prev_end), (_, end) = lines[-2], lines[-1]
    if _visible(chars[prev_end:end]) > 1:
        return
    limit = widths_for_line(first_line + len(lines) - 1) + _FUZZ
    tail = sum(widths[prev_end:end])
    for wanted in (GOOD, LONG, SHORT):
        width = tail
        for j in range(prev_end - 1, prev_start + 1, -1):
            width += widths[j]
            if width > limit:
                break
            if levels[j] <= wanted and _visible(chars[prev_start:j]) >= 2:
                lines[-2], lines[-1] = (prev_start, j), (j, end)
                return


def _char_widths(text: str, frag) -> list[float]:
    font = getFont(frag.fontName)
    measure = getattr(font, "char_widths", None)
    if measure is not None:
        return measure(text, frag.fontSize)
    return [stringWidth(c, frag.fontName, frag.fontSize) for c in text]


def _line(chars, widths, owners, start, end, max_width, line_break) -> FragLine:
    """One line as reportlab draws it: the runs of each fragment with their joined text."""
    words = []
    ascent = descent = size = 0
    i = start
    while i < end:
        frag = owners[i]
        j = i + 1
        while j < end and owners[j] is frag:
            j += 1
        word = frag.clone()
        word.text = "".join(chars[i:j])
        words.append(word)
        a, d = getAscentDescent(frag.fontName, frag.fontSize)
        ascent, descent, size = max(ascent, a), min(descent, d), max(size, frag.fontSize)
        i = j
    used = sum(widths[start:end])
    return FragLine(
        kind=1,
        extraSpace=max_width - used,
        wordCount=1,
        words=words,
        fontSize=size,
        ascent=ascent,
        descent=descent,
        maxWidth=max_width,
        currentWidth=used,
        lineBreak=line_break,
    )


def break_frags(frags, max_widths, calc_bounds: bool) -> ParaLines:
    """The lines of a paragraph's fragments as reportlab's CJK wrapping returns them (kind 1)."""
    if calc_bounds or any(hasattr(frag, "cbDefn") for frag in frags):
        return cjkFragSplit(frags, max_widths, calc_bounds)  # inline images: reportlab's own wrapping
    chars: list[str] = []
    widths: list[float] = []
    owners: list = []
    for frag in frags:
        text = frag.text
        if isinstance(text, bytes):
            text = text.decode("utf8")
        if text:
            chars.extend(text)
            widths.extend(_char_widths(text, frag))
            owners.extend([frag] * len(text))
        else:
            chars.append("")
            widths.append(0.0)
            owners.append(frag)

    def widths_for_line(number: int) -> float:
        return max_widths[number] if number < len(max_widths) else max_widths[-1]

    lines = []
    segment_start = 0
    n = len(chars)
    for index in range(n + 1):
        hard = index < n and hasattr(owners[index], "lineBreak")
        if index < n and not hard:
            continue
        stop = index + 1 if hard else index
        if stop > segment_start:
            segment = slice(segment_start, stop)
            breaks = _break_segment(chars[segment], widths[segment], widths_for_line, len(lines))
            for start, end in breaks:
                line_break = hard and end == stop - segment_start
                lines.append(
                    _line(
                        chars,
                        widths,
                        owners,
                        segment_start + start,
                        segment_start + end,
                        widths_for_line(len(lines)),
                        line_break,
                    )
                )
        segment_start = stop
    return ParaLines(kind=1, lines=lines)


def _split_lines(bl_para, start: int, stop: int) -> list:
    # The fragments of lines start..stop for the part of a paragraph that goes on: reportlab's own version
    # appends a space to each line, which Chinese text must not get.
    frags = []
    for line in bl_para.lines[start:stop]:
        frags.extend(frag.clone() for frag in line.words)
    return frags


class Paragraph(_ReportlabParagraph):
    """A reportlab Paragraph whose CJK lines are broken by `break_frags`."""

    def breakLinesCJK(self, maxWidths):
        if not isinstance(maxWidths, list | tuple):
            maxWidths = [maxWidths]
        self.height = 0
        if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
            return self.blPara
        style = self.style
        if not self.frags:
            return ParaLines(
                kind=0,
                fontSize=style.fontSize,
                fontName=style.fontName,
                textColor=style.textColor,
                lines=[],
                ascent=style.fontSize,
                descent=-0.2 * style.fontSize,
            )
        # Tables measure a cell several times (to size rows, to split, to draw): break once per width. The
        # lines are kept beside blPara, which reportlab deletes when a split fails, never instead of it.
        key = tuple(maxWidths)
        memo = self.__dict__.get("_lines_memo")
        if memo is not None and memo[0] == key:
            return memo[1]
        auto_leading = getattr(self, "autoLeading", getattr(style, "autoLeading", ""))
        lines = break_frags(self.frags, maxWidths, auto_leading not in ("", "off"))
        self._lines_memo = (key, lines)
        return lines

    def _get_split_blParaFunc(self):
        if self.blPara.kind == 1:
            return _split_lines
        return super()._get_split_blParaFunc()
