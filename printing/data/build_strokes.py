"""Writes kTotalStrokes.txt, the stroke counts of printing.collation, from the Unihan database.

Usage: python printing/data/build_strokes.py Unihan_IRGSources.txt[.bz2] > printing/data/kTotalStrokes.txt

Unihan_IRGSources.txt is part of Unihan.zip of the Unicode Character Database (also shipped, bzip2-compressed,
by Debian's unicode-data package). Where kTotalStrokes gives two counts, the first (preferred for zh-Hans) is
kept. Each data line holds 64 consecutive code points from a multiple of 64: the start in hex, a space, then
one character per code point, chr(33 + strokes), with "!" where Unihan gives no count.
"""

import bz2
import re
import sys

BLOCK = 64


def main(path: str) -> None:
    opener = bz2.open if path.endswith(".bz2") else open
    counts: dict[int, int] = {}
    version = "?"
    with opener(path, "rt", encoding="utf-8") as source:
        for line in source:
            if line.startswith("# Unicode version:"):
                version = line.split(":", 1)[1].strip()
            match = re.match(r"U\+([0-9A-F]+)\tkTotalStrokes\t(\d+)", line)
            if match:
                counts[int(match.group(1), 16)] = int(match.group(2))
    print(f"# kTotalStrokes of the Unihan database, Unicode {version}, reduced to this one field and re-encoded")
    print("# by build_strokes.py (see there for the format).")
    print("# Unicode data: (c) Unicode, Inc., distributed under the Unicode License (see UNICODE-LICENSE.txt).")
    for start in range(0, max(counts) + 1, BLOCK):
        row = [counts.get(code) for code in range(start, start + BLOCK)]
        if any(row):
            print(f"{start:X} " + "".join(chr(33 + (n or 0)) for n in row))


if __name__ == "__main__":
    main(sys.argv[1])
