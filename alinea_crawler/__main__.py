"""``python -m alinea_crawler --version`` / ``--help``: the version, and how to run a crawl.

The crawl itself is ``scrapy crawl alinea``; this entry point only answers the first questions.
"""

from __future__ import annotations

import argparse

from . import __version__
from .args import describe_arguments

DOCS = "README.md and docs/ in the project folder (docs/arguments.md: the spider arguments)"


def help_text() -> str:
    return "\n".join([
        "Crawl alinea.id into a dataset of articles (run in the project folder):",
        "",
        "  scrapy crawl alinea [-a name=value ...] [-O FILE.csv|.json|.jsonl|.parquet] [-o - (stdout, JSON Lines)]",
        "",
        "Spider arguments:",
        *describe_arguments(),
        "",
        "Settings: -s NAME=VALUE (docs/settings.md). Exit codes: 0 ok, 1 the crawl failed, 2 a bad argument or setting.",
        f"Documentation: {DOCS}.",
    ])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m alinea_crawler", description=help_text(), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"alinea-crawler {__version__}")
    parser.parse_args(argv)
    parser.print_help()


if __name__ == "__main__":
    main()
