"""``python -m alinea_crawler.state migrate SOURCE TARGET``: copy a state into another (SQLite into PostgreSQL).

Rows the target already holds are kept as they are; the source is only read.
One line on success (``migrated N article(s) …``); exit 2 with one line when a
store cannot be opened. Passwords are shown as ``***``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..exitcodes import USAGE, NotStarted
from ..pgconnect import is_postgres
from . import StateUnavailable, open_store


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m alinea_crawler.state", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    migrate = commands.add_parser("migrate", help="copy every row of SOURCE into TARGET")
    migrate.add_argument("source", help="SQLite file path or postgresql://… URL")
    migrate.add_argument("target", help="postgresql://… URL or SQLite file path")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    if not is_postgres(options.source) and not Path(options.source).expanduser().is_file():
        print(f"error: no state file at {options.source}", file=sys.stderr)
        return USAGE
    try:
        source = open_store(options.source)
        target = open_store(options.target)
        rows = list(source.dump())
        added = target.load(rows)
    except (ValueError, NotStarted, StateUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return USAGE
    print(f"migrated {added} article(s) from {source.location} to {target.location}"
          f" ({len(rows) - added} already there)")
    source.close()
    target.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
