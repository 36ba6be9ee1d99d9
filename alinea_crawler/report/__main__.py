"""``python -m alinea_crawler.report <exports…> [--crawl-report FILE …] -o report.html [--card card.md]``.

Exit codes: 0 written; 2 bad input (no export file matched, a file that cannot be read, no articles,
a crawl report that is none) or bad arguments; 1 the output could not be written. Errors are one line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import figures_of, write_outputs
from .inputs import InputError

BAD_INPUT, NOT_WRITTEN = 2, 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m alinea_crawler.report",
        description="One self-contained HTML report (plots and their numbers) of exported alinea.id articles, "
                    "and optionally a Hugging Face-style dataset card.")
    parser.add_argument("exports", nargs="+", help=".jsonl/.json/.csv/.parquet files, folders of them or globs")
    parser.add_argument("--crawl-report", action="append", default=[], metavar="FILE",
                        help="an ALINEA_REPORT_FILE JSON of the crawl(s); repeat for several")
    parser.add_argument("-o", "--output", type=Path, metavar="HTML", help="the report page to write")
    parser.add_argument("--card", type=Path, metavar="MD", help="the dataset card to write")
    args = parser.parse_args(argv)
    if not args.output and not args.card:
        parser.error("nothing to write: give -o report.html and/or --card card.md")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        figures = figures_of(args.exports, args.crawl_report)
        if not figures.articles:
            raise InputError(f"no articles in {', '.join(path for path, _ in figures.files)}")
    except InputError as error:
        print(f"report failed: {error}", file=sys.stderr)
        return BAD_INPUT
    try:
        write_outputs(figures, args.output, args.card)
    except OSError as error:
        print(f"report failed: cannot write: {error}", file=sys.stderr)
        return NOT_WRITTEN
    for path in filter(None, (args.output, args.card)):
        print(f"written: {path} ({figures.articles:,} articles, {figures.first_day} to {figures.last_day})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
