"""Spider arguments: strings in (``-a name=value``, Scrapyd ``-d``), one typed, checked object out."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .dates import DEFAULT_ZONE, find_datetime
from .urls import article_id
from .warc import archived_site, warc_paths

DEFAULT_BASE_URL = "https://www.alinea.id"
RENDER_MODES = ("auto", "never", "always")
_SECTION = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


class ArgumentError(ValueError):
    """A spider argument is wrong; the message is one line naming it."""


BAD_ARGUMENT = "bad_argument"  # close reason of a crawl stopped by an argument the site refutes (exit 2)


@dataclass(frozen=True)
class CrawlArgs:
    base_url: str = DEFAULT_BASE_URL
    sections: tuple[str, ...] = ()  # empty: discovered from the home navigation
    max_pages: int | None = None  # listing pages per section (the index page + load-more pages)
    since: datetime | None = None  # skip articles published before; stop paging past it
    until: datetime | None = None  # skip articles published after
    url: tuple[str, ...] = ()  # crawl just these article URLs
    urls_file: str | None = None  # ... or those listed in this file, one per line
    follow_related: bool = True  # follow "Berita Lainnya" and "Baca juga" links (default off with url/urls_file)
    related_depth: int = 1  # how many related hops from a listed article
    render: str = "auto"  # auto | never | always: when to use the browser
    refresh: bool = False  # re-export articles that earlier runs already exported
    from_warc: str | None = None  # WARC file, directory or glob: pages come from there, not the network

    @classmethod
    def from_kwargs(cls, **raw: Any) -> CrawlArgs:
        known = {f.name for f in fields(cls)}
        unknown = sorted(k for k in raw if k not in known and not k.startswith("_"))
        if unknown:
            raise ArgumentError(
                f"unknown spider argument {unknown[0]!r}: expected one of {', '.join(sorted(known))}"
            )
        values = {name: _PARSERS[name](name, str(value)) for name, value in raw.items() if name in known}
        urls = values.get("url", ()) + _read_urls_file(values.get("urls_file"))
        if urls and "base_url" not in values:
            values["base_url"] = _origin(urls[0])
        if values.get("from_warc") and "base_url" not in values:  # the site the archive holds
            values["base_url"] = archived_site(warc_paths(values["from_warc"])) or DEFAULT_BASE_URL
        if urls:  # just these articles, unless related links are asked for
            values.setdefault("follow_related", False)
        args = cls(**values)
        args._check_consistency(urls)
        return args

    @property
    def start_urls(self) -> tuple[str, ...]:
        return self.url + _read_urls_file(self.urls_file)

    def _check_consistency(self, urls: tuple[str, ...]) -> None:
        if self.since and self.until and self.since > self.until:
            raise ArgumentError(f"spider arguments since={self.since.date()} until={self.until.date()}: since is after until")
        host = urlsplit(self.base_url).netloc
        for url in urls:
            if urlsplit(url).netloc != host:
                raise ArgumentError(f"spider argument url={url!r}: not on the base_url host {host!r}")


# One line per argument for `--help` (python -m alinea_crawler, scrapy crawl -h); docs/arguments.md says more.
ARGUMENT_HELP = {
    "base_url": ("URL", f"site root (default {DEFAULT_BASE_URL})"),
    "sections": ("a,b", "only these sections, e.g. politik,bisnis (default: every section the site shows)"),
    "max_pages": ("N", "listing pages per section: the section page and N-1 load-more pages"),
    "since": ("DATE", "articles published from then on: 2026-11-01 (WIB) or 2026-11-01T06:00:00+07:00"),
    "until": ("DATE", "articles published up to then (a bare date includes the whole day)"),
    "url": ("URL,URL", "just these article URLs"),
    "urls_file": ("FILE", "just the article URLs in this file, one per line"),
    "follow_related": ("1|0", "follow 'Berita Lainnya' and 'Baca juga' links (default 1; 0 with url/urls_file)"),
    "related_depth": ("N", "related hops from a listed article (default 1)"),
    "render": ("auto|never|always", "when to use a browser for JavaScript-filled lists (default auto)"),
    "refresh": ("1|0", "incremental runs: export again what earlier runs exported (default 0)"),
    "from_warc": ("PATH", "read every page from these WARC files (file, directory or glob), not the network"),
}


def describe_arguments() -> list[str]:
    """``  -a name=VALUE   meaning`` for every spider argument, in the order of CrawlArgs."""
    usage = {name: f"-a {name}={ARGUMENT_HELP[name][0]}" for name in (f.name for f in fields(CrawlArgs))}
    width = max(map(len, usage.values()))
    return [f"  {usage[name]:<{width}}  {ARGUMENT_HELP[name][1]}" for name in usage]


def unknown_sections(wanted: tuple[str, ...], shown: set[str], candidates: set[str] | None = None) -> str | None:
    """The one-line error for ``-a sections=…`` naming the sections (of ``candidates``, by default all)
    that the site does not show, or ``None``."""
    unknown = [s for s in wanted if s not in shown and (candidates is None or s in candidates)]
    if not unknown:
        return None
    listed = ", ".join(sorted(shown)) or "none"
    return (f"spider argument sections={','.join(wanted)!r}: unknown section{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(unknown)}; the site shows: {listed}")


def _fail(name: str, value: str, expected: str) -> ArgumentError:
    return ArgumentError(f"spider argument {name}={value!r}: expected {expected}")


def _base_url(name: str, value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise _fail(name, value, "a site root such as https://www.alinea.id")
    return f"{parts.scheme}://{parts.netloc}"


def _sections(name: str, value: str) -> tuple[str, ...]:
    sections = tuple(s.strip() for s in value.split(",") if s.strip())
    if not sections or not all(_SECTION.match(s) for s in sections):
        raise _fail(name, value, "a comma list of section slugs such as politik,bisnis")
    return sections


def _positive_int(name: str, value: str) -> int:
    if not value.strip().isdigit() or int(value) < 1:
        raise _fail(name, value, "a positive integer")
    return int(value)


def _non_negative_int(name: str, value: str) -> int:
    if not value.strip().isdigit():
        raise _fail(name, value, "a whole number, 0 or more")
    return int(value)


def _bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered not in _TRUE | _FALSE:
        raise _fail(name, value, "1/0, true/false, yes/no or on/off")
    return lowered in _TRUE


def _date(name: str, value: str) -> datetime:
    found = find_datetime(value)  # the whole value must be the date: "2026-11-01 foo" is a typo, not a date
    parsed = found.value if found and found.raw == value.strip() else None
    if parsed is None:
        raise _fail(name, value, "a date such as 2026-11-01 or 2026-11-01T06:00:00+07:00")
    if len(value.strip()) == 10 and name == "until":  # a bare day includes the whole day
        parsed = datetime.combine(parsed.date(), time.max, tzinfo=DEFAULT_ZONE)
    return parsed


def _article_urls(name: str, value: str) -> tuple[str, ...]:
    urls = tuple(u.strip() for u in value.split(",") if u.strip())
    bad = next((u for u in urls if not article_id(u) or urlsplit(u).scheme not in ("http", "https")), None)
    if not urls or bad is not None:
        raise _fail(name, bad or value, "article URLs such as https://www.alinea.id/politik/judul-b2k8w9PZK")
    return urls


def _render(name: str, value: str) -> str:
    if value not in RENDER_MODES:
        raise _fail(name, value, " or ".join(RENDER_MODES))
    return value


def _existing_file(name: str, value: str) -> str:
    path = Path(value).expanduser()
    if not path.is_file():
        raise _fail(name, value, "a readable file of article URLs, one per line")
    return str(path.resolve())


def _warc_files(name: str, value: str) -> str:
    if not warc_paths(value):
        raise _fail(name, value, "a WARC file, a directory holding .warc.gz files, or a glob matching some")
    return value


def _read_urls_file(path: str | None) -> tuple[str, ...]:
    if not path:
        return ()
    lines = [line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines()]
    wanted = [line for line in lines if line and not line.startswith("#")]
    if not wanted:
        raise ArgumentError(f"spider argument urls_file={path!r}: the file lists no article URL")
    return _article_urls("urls_file", ",".join(wanted))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


_PARSERS: dict[str, Callable[[str, str], Any]] = {
    "base_url": _base_url,
    "sections": _sections,
    "max_pages": _positive_int,
    "since": _date,
    "until": _date,
    "url": _article_urls,
    "urls_file": _existing_file,
    "follow_related": _bool,
    "related_depth": _non_negative_int,
    "render": _render,
    "refresh": _bool,
    "from_warc": _warc_files,
}
