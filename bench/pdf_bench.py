"""PDF benchmark: the board file and the minutes of the demo's biggest sessions, built the way
the application builds them, against a raw floor measured in the same run: a minimal one-page
document (one heading, one paragraph) through the same library with the same options (for
Typst: PDF/UA-1, the same fonts), and the same for reportlab when it is installed.

    .venv/bin/python -m bench.pdf_bench [--runs 20] [--label "Typst (PDF/UA-1)"]
    # DATABASE_URL: a migrated database; the demo is loaded into it when it has no session

The board file is built for the members (every point), for the session with the most agenda
points; the minutes for the held or closed session with the most points. Each document is
built ``--runs`` times (median and p95 of the wall time, its size in bytes); the resident
memory is read (``ru_maxrss``) before the first build and after each kind of build, so each
growth is the peak that kind of build added. Writes (or replaces) the section ``## <label>``
of docs/benchmarks-pdf.md, keeping the other sections (the figures of another library).
"""

import argparse
import datetime
import io
import os
import re
import resource
import statistics
import time
from importlib.metadata import PackageNotFoundError, version

from pypdf import PdfReader

from bench import ROOT, say
from bench.run import load_average

OUTPUT = ROOT / "docs" / "benchmarks-pdf.md"
HEADER = """# PDF benchmark

`python -m bench.pdf_bench` writes a section of this file for the library the application
uses when it runs. Each section: the board file of the demo's biggest session and the minutes
of its biggest held session, built as the application builds them, beside a **floor**: a
minimal one-page document (one heading, one paragraph) through the same library with the same
options, in the same run. Times are wall-clock medians over the runs (2-CPU machine shared with
other test suites: compare the ratios to the floor).
"""


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(build, runs: int) -> dict:
    before = _maxrss_mb()
    times, content = [], b""
    for _ in range(runs):
        started = time.perf_counter()
        content = build()
        times.append(time.perf_counter() - started)
    first = times[0]
    times.sort()
    return {
        "first_ms": 1000 * first,
        "median_ms": 1000 * statistics.median(times),
        "p95_ms": 1000 * times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        "bytes": len(content),
        "rss_mb": _maxrss_mb() - before,
        "pages": len(PdfReader(io.BytesIO(content)).pages),
    }


def _typst_floor() -> bytes | None:
    try:
        import typst
    except ImportError:
        return None
    try:
        from backend.board.pdf import fonts
    except ImportError:  # before the application used Typst: the default fonts
        fonts = list

    source = (
        b'#set document(title: "Plancher")\n#set text(lang: "fr", region: "FR")\n'
        b"= Plancher\nUn paragraphe : \xc3\xa9t\xc3\xa9, \xc2\xab oui \xc2\xbb, 12 \xe2\x82\xac.\n"
    )
    return typst.compile(source, font_paths=fonts(), pdf_standards="ua-1")


def _reportlab_floor() -> bytes | None:
    try:
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.styles import getSampleStyleSheet
        from reportlab.platypus import Paragraph, SimpleDocTemplate
    except ImportError:
        return None
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title="Plancher", lang="fr-FR").build(
        [
            Paragraph("Plancher", styles["Heading1"]),
            Paragraph("Un paragraphe : été, « oui », 12 €.", styles["Normal"]),
        ]
    )
    return buffer.getvalue()


def _sessions():
    from django.db.models import Count

    from backend.board.minutes import MINUTES_STATES
    from backend.board.models import BoardSession

    if not BoardSession.objects.exists():
        from backend.demo.loader import load_demo

        say("loading the demo")
        load_demo()
    sessions = BoardSession.objects.annotate(points=Count("agenda_items")).order_by(
        "-points", "date"
    )
    held = sessions.filter(state__in=MINUTES_STATES).first()
    return sessions.first(), held


def _library() -> str:
    """The library the application builds its PDFs with: Typst since ``backend.board.pdf``."""
    try:
        import backend.board.pdf  # noqa: F401
    except ImportError:
        name = "reportlab"
    else:
        name = "typst"
    try:
        return f"{name} {version(name)}"
    except PackageNotFoundError:
        return name


def _row(name: str, figures: dict, floor: dict | None) -> str:
    ratio = f"{figures['median_ms'] / floor['median_ms']:.1f} x" if floor else "-"
    cells = [
        name,
        *(f"{figures[key]:.1f}" for key in ("first_ms", "median_ms", "p95_ms")),
        ratio,
        f"{figures['bytes'] / 1024:.1f}",
        str(figures["pages"]),
        f"{figures['rss_mb']:.1f}",
    ]
    return "| " + " | ".join(cells) + " |"


def run(runs: int, label: str) -> str:
    from backend.board import board_file, minutes

    session, held = _sessions()
    say(f"board file of « {session.title} », minutes of « {held.title if held else '-'} »")
    floors = {}
    for name, build in (("typst", _typst_floor), ("reportlab", _reportlab_floor)):
        if build() is not None:
            floors[name] = _measure(build, runs)
    library = _library()
    floor = floors.get(library.split()[0])
    measured = {"Board file": _measure(lambda: board_file.board_file_pdf(session, None), runs)}
    if held is not None:
        measured["Minutes"] = _measure(lambda: minutes.minutes_pdf(held), runs)
    lines = [
        f"## {label}",
        "",
        f"Run of {datetime.date.today():%-d %B %Y}: {library}, {runs} builds each, load "
        f"average {load_average()}. Board file: « {session.title} » "
        f"({session.agenda_items.count()} points); minutes: « {held.title if held else '-'} ».",
        "",
        "| document | first (ms) | median (ms) | p95 (ms) | x floor | KiB | pages "
        "| peak RSS added (MiB) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [_row(name, figures, floor) for name, figures in measured.items()]
    lines += [
        _row(f"floor: one page, {name}", figures, figures) for name, figures in floors.items()
    ]
    return "\n".join(lines) + "\n"


def write(section: str, label: str) -> None:
    text = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else HEADER
    pattern = re.compile(rf"^## {re.escape(label)}\n.*?(?=^## |\Z)", re.M | re.S)
    text = (
        pattern.sub(lambda _: section + "\n", text)
        if pattern.search(text)
        else (text.rstrip("\n") + "\n\n" + section)
    )
    OUTPUT.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--label", default="Typst (PDF/UA-1)")
    args = parser.parse_args(argv)
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    django.setup()
    section = run(args.runs, args.label)
    print(section)
    write(section, args.label)
    say(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
