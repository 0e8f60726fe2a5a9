"""How the board's documents are typeset: tagged PDF (PDF/UA-1) made by Typst.

``board_file`` and ``minutes`` say what a document holds as a list of blocks (headings,
paragraphs, lists, tables; the helpers below); ``render`` hands them, with the document's
title and heading, to the one template ``typst/document.typ`` as JSON (``sys.inputs``): user
text is only ever data, never Typst markup, so a title holding ``# * [ $ \\ "`` prints as
written. Typst writes the structure tree (title, headings, paragraphs, lists, tables with their
header cells), the language (fr-FR), the title shown as the window's title, the PDF/UA
identification in the XMP metadata, and embeds a subset of every font it uses.

Fonts: DejaVu Sans when its files are installed (``fonts-dejavu-core``: the Dockerfile and
.ci/run install it), else Libertinus Serif, which the Typst wheel carries. PDF/UA forbids a
character that no font can show, so the text is first cut down to what the font has: an
emoji or a script the font lacks becomes U+FFFD (or « ? »), invisible marks are dropped.
"""

import functools
import json
import unicodedata
from pathlib import Path

import typst
from django.utils import timezone
from fontTools.ttLib import TTFont

from backend.board.typography import typo

TEMPLATE = Path(__file__).with_name("typst") / "document.typ"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
DEJAVU = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")  # the regular and the bold in use
BUNDLED = "Libertinus Serif"  # in the Typst wheel
# What Libertinus Serif surely has (its files are inside the wheel, not readable here):
# Latin-1, Latin Extended-A, and the typographic signs a French text uses.
# (dashes, quotes, ellipsis, bullet, euro, trade mark, minus)
TYPOGRAPHIC = (0x2013, 0x2014, 0x2018, 0x2019, 0x201A, 0x201C, 0x201D, 0x201E, 0x2026, 0x2022)
BUNDLED_COVERAGE = frozenset(
    [*range(0x20, 0x7F), *range(0xA0, 0x180), *TYPOGRAPHIC, 0x2039, 0x203A, 0x20AC, 0x2122, 0x2212]
)
SPACES = {"\u2028": "\n", "\u2029": "\n", "\t": " ", "\r": ""}


# --- fonts ----------------------------------------------------------------------------------


def _dejavu_files(directory: Path) -> list[Path] | None:
    files = [directory / name for name in DEJAVU]
    return files if all(file.is_file() for file in files) else None


def font_family() -> str:
    """The family the documents are set in: DejaVu Sans when installed, else the bundled
    Libertinus Serif."""
    return "DejaVu Sans" if _dejavu_files(FONT_DIR) else BUNDLED


@functools.cache
def _coverage(directory: Path) -> frozenset[int]:
    files = _dejavu_files(directory)
    if not files:
        return BUNDLED_COVERAGE
    try:
        cmaps = [set(TTFont(str(file), lazy=True).getBestCmap()) for file in files]
    except Exception:  # an unreadable font file: only what the bundled font has
        return BUNDLED_COVERAGE
    return frozenset(set.intersection(*cmaps))


@functools.cache
def _typst_fonts(directory: Path) -> typst.Fonts:
    paths = [str(directory)] if _dejavu_files(directory) else []
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=paths)


def fonts() -> typst.Fonts:
    """The fonts Typst may use (loaded once): DejaVu's folder and the bundled fonts, never the
    system's others, so that a document looks the same on every machine."""
    return _typst_fonts(FONT_DIR)


def printable(text: str) -> str:
    """``text`` with only characters the documents' font can show (PDF/UA-1 requires it)."""
    coverage = _coverage(FONT_DIR)
    replacement = "\ufffd" if 0xFFFD in coverage else "?"
    kept = []
    for char in unicodedata.normalize("NFC", text):
        if char == "\n" or ord(char) in coverage:
            kept.append(char)
            continue
        category = unicodedata.category(char)
        if char in SPACES:
            kept.append(SPACES[char])
        elif category == "Zs":
            kept.append(" ")
        elif category[0] not in "CM":  # control, format and combining marks: dropped
            kept.append(replacement)
    return "".join(kept)


def _printable(value):
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {key: _printable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(item) for item in value]
    return value


# --- blocks ---------------------------------------------------------------------------------


def heading(text: str, level: int = 1) -> dict:
    return {"kind": "heading", "level": level, "text": typo(text)}


def paragraph(text: str | None) -> dict:
    """A paragraph; its line breaks are kept."""
    return {"kind": "paragraph", "text": typo(text)}


def note(text: str) -> dict:
    return {"kind": "note", "text": typo(text)}


def bullets(items: list[str]) -> dict:
    return {"kind": "bullets", "items": [typo(item) for item in items]}


def numbered(items: list[tuple[int, str]]) -> dict:
    """A list numbered as given (the axes of a project keep their own numbers)."""
    return {"kind": "numbered", "items": [[number, typo(text)] for number, text in items]}


def table(headers: list[str], rows: list[list[str]], widths_mm: list[float]) -> dict:
    """A table whose first row is its header (repeated on every page it runs over)."""
    return {
        "kind": "table",
        "headers": [typo(header) for header in headers],
        "rows": [[typo(cell) for cell in row] for row in rows],
        "widths": widths_mm,
    }


def fields(rows: list[tuple[str, str]]) -> dict:
    """A sheet of labels and values, as a two-column table headed « Rubrique | Détail »."""
    return {"kind": "fields", "rows": [[typo(label), typo(value) or "-"] for label, value in rows]}


def page_break() -> dict:
    return {"kind": "pagebreak"}


# --- the document ---------------------------------------------------------------------------


def render(
    blocks: list[dict],
    *,
    title: str,
    subject: str,
    kicker: str,
    heading: str,
    lines: list[str],
    footer: str,
) -> bytes:
    """The PDF: ``kicker`` above the shown ``heading`` (the document's Title element), then
    ``lines`` (date, place), then the blocks; ``title`` is the window's title, ``footer`` is
    printed on every page beside its number (both outside the structure: artifacts)."""
    document = {
        "title": typo(title),
        "subject": subject,
        "author": "CAF de la Loire",
        "font": font_family(),
        "kicker": typo(kicker),
        "heading": typo(heading),
        "lines": [typo(line) for line in lines],
        "footer": typo(footer),
        "blocks": blocks,
    }
    return typst.compile(
        TEMPLATE,
        root=TEMPLATE.parent,
        font_paths=fonts(),
        ignore_system_fonts=True,
        sys_inputs={"document": json.dumps(_printable(document))},
        pdf_standards="ua-1",
        timestamp=int(timezone.now().timestamp()),
    )
