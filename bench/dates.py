"""µs per ``find_datetime`` call on byline-sized text, with and without a date; dateparser for scale.

Run from the repository root: ``.venv/bin/python -m bench.dates``. Never part of
the tests. The target: well under 50 µs for a 300-character line with no date.
dateparser (installed with trafilatura, bench/requirements.txt) is timed on the
same lines, with what it returns, to back the "hand-written" choice in dates.py.
"""

from __future__ import annotations

import argparse
import timeit
from datetime import datetime, timedelta, timezone

from bench.common import print_table, write_result
from alinea_crawler.dates import find_datetime

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=timezone(timedelta(hours=7)))
SEED_BYLINE = "Nadia Lutfiana Mawarni Jumat, 31 Des 2021 13:15 WIB"
# 300 characters of headline-area text with numbers, a phone, a range, a time, two years: no date.
MISS = (
    "Biden-Putin terlibat pembicaraan serius untuk diplomasi Rusia atas Ukraina. Reporter: Nadia "
    "Lutfiana Mawarni | Editor: Budi Santoso · Hubungi 0812-3456-7890, layanan 5×24 jam, harga "
    "60.000 hingga 90.000 per unit sejak versi 2.11.2; rapat pukul 13.15 WIB di Jakarta Pusat, "
    "12/2021, tahun 2021, dan Ukraina Timur sebelum Natal."
)[:300]
LINES = {  # name: (text, now)
    "seed byline (hit)": (SEED_BYLINE, None),
    "300 chars, date at the end": (MISS[:270] + " Jumat, 31 Des 2021 13:15 WIB", None),
    "300 chars, no date": (MISS, None),
    "300 chars, no date, now given": (MISS, NOW),
}


def best_us(call, repeat: int, number: int) -> float:
    """Best of ``repeat`` runs, µs per call."""
    return min(timeit.repeat(call, repeat=repeat, number=number)) / number * 1e6


def dateparser_rows(repeat: int) -> list[list]:
    try:
        import dateparser
        from dateparser.search import search_dates
    except ImportError:
        print("dateparser not installed: pip install -r bench/requirements.txt for the comparison")
        return []
    parse = lambda: dateparser.parse(SEED_BYLINE, languages=["id"])  # noqa: E731
    search = lambda: search_dates(MISS, languages=["id"])  # noqa: E731
    return [
        [f"dateparser {dateparser.__version__} parse, seed byline", len(SEED_BYLINE),
         round(best_us(parse, repeat, 50), 1), repr(parse())],
        [f"dateparser {dateparser.__version__} search_dates, no date", len(MISS),
         round(best_us(search, repeat, 5), 1), repr([found for found, _ in search() or []])],
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=20_000, help="calls per run")
    parser.add_argument("--repeat", type=int, default=5, help="runs; the best is kept")
    args = parser.parse_args()
    rows = []
    for name, (text, now) in LINES.items():
        found = find_datetime(text, now)
        rows.append([name, len(text), round(best_us(lambda: find_datetime(text, now), args.repeat, args.number), 2),
                     found.raw if found else None])
    rows += dateparser_rows(args.repeat)
    print_table(["line", "chars", "µs/call", "read"], rows)
    write_result("dates", {"best_of": args.repeat, "calls_per_run": args.number,
                           "rows": [dict(zip(("line", "chars", "us_per_call", "read"), row)) for row in rows]})


if __name__ == "__main__":
    main()
