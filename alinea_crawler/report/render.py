"""The report page: ``data.Figures`` drawn (``plots``) and tabulated into one self-contained HTML file.

Every plot has a table of the same numbers under it. Table cells holding a
number carry it unformatted in ``data-value`` (the text shows ``1,234`` or
``87.5%``), so a reader or a test can take the exact figure from the page.
The page loads nothing: the SVGs and the style are inline, and there is no script.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from importlib import resources
from string import Template
from typing import Any

from . import plots
from .data import COVERAGE_FIELDS, GAPS_LISTED, CrawlFigures, Figures, Histogram

LONG_TABLE = 25  # more rows than this: the table is folded (<details>)
RUNG_ORDER = ("ld", "meta", "layout", "generic")


@dataclass(frozen=True)
class Cell:
    text: str
    value: Any = None  # the number behind the text, if any

    def html(self) -> str:
        if self.value is None:
            return f"<td>{escape(self.text)}</td>"
        return f'<td class="n" data-value="{escape(str(self.value))}">{escape(self.text)}</td>'


def num(value: float | int | None) -> Cell:
    if value is None:
        return Cell("")
    return Cell(f"{value:,}" if isinstance(value, int) else f"{value:,.1f}", value)


def pct(share: float) -> Cell:
    return Cell(f"{share:.1%}", round(share, 6))


def text(value: Any) -> Cell:
    return Cell("" if value is None else value.isoformat() if isinstance(value, date) else str(value))


def table(table_id: str, columns: Sequence[str], rows: Iterable[Sequence[Cell]], row_class=None) -> str:
    rows = list(rows)
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "\n".join(
        f"<tr{' class=%s' % row_class(i) if row_class and row_class(i) else ''}>{''.join(c.html() for c in row)}</tr>"
        for i, row in enumerate(rows))
    html = f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>'
    if len(rows) > LONG_TABLE:
        return f"<details><summary>the numbers ({len(rows):,} rows)</summary>{html}</details>"
    return html


def block(block_id: str, title: str, *parts: str, note: str = "", level: int = 3) -> str:
    """A titled figure: optional note, the plot(s), the table(s)."""
    note_html = f'<p class="note">{note}</p>' if note else ""
    inner = "\n".join(f"<figure>{p}</figure>" if p.startswith("<svg") else p for p in parts)
    return f'<section id="{block_id}"><h{level}>{escape(title)}</h{level}>{note_html}\n{inner}\n</section>'


def page(f: Figures, title: str = "alinea.id dataset report") -> str:
    """The whole report as one HTML document."""
    chapters = [("overview", "Overview", overview(f)), ("days", "Articles per day", per_day(f)),
                ("per-section", "Sections", per_section(f)), ("fields", "Field coverage", fields(f)),
                ("text", "Text", text_figures(f)), ("people", "Authors and tags", people(f))]
    if f.crawl:
        chapters.append(("crawl", "The crawl", crawl(f.crawl)))
    template = Template(resources.files(__package__).joinpath("template.html").read_text(encoding="utf-8"))
    return template.substitute(
        title=escape(title),
        subtitle=escape(f"{f.articles:,} articles, {f.first_day} to {f.last_day}, from "
                        f"{len(f.files)} export file(s)" + (f" and {len(f.crawl_reports)} crawl report(s)"
                                                           if f.crawl_reports else "")),
        nav="".join(f'<a href="#{cid}">{escape(name)}</a>' for cid, name, _ in chapters),
        body="\n".join(f'<section id="{cid}"><h2>{escape(name)}</h2>\n{html}\n</section>'
                       for cid, name, html in chapters),
    )


# -- chapters -----------------------------------------------------------------

def overview(f: Figures) -> str:
    rows = [("articles (newest revision of each id)", num(f.articles)),
            ("rows read", num(f.rows)),
            ("rows read more than once (same id and revision)", num(f.repeated_rows)),
            ("articles without a readable date", num(f.undated)),
            ("first day", text(f.first_day)), ("last day", text(f.last_day)),
            ("days", num(len(f.daily))),
            ("days without any article", num(len(f.empty_days))),
            ("sections", num(len(f.sections)))]
    html = table("overview-table", ("", "value"), [(Cell(name), cell) for name, cell in rows])
    files = table("files", ("export file", "rows"), [(text(path), num(n)) for path, n in f.files])
    verdicts = ""
    if f.crawl:
        failed = [run for run in f.crawl.runs if run["verdict"] != "OK"]
        if failed:
            verdicts = "".join(f'<p class="alert">crawl {escape(run["report"])}: {escape(run["verdict"])} '
                               f"— its exports may be partial</p>" for run in failed)
    return verdicts + html + files


def per_day(f: Figures) -> str:
    gaps = f.gaps[:GAPS_LISTED]
    note = (f'<span class="alert">{len(f.empty_days):,} day(s) without any article</span>, shaded red: a crawl '
            "hole, or days the site published nothing." if f.empty_days else "Every day of the range has articles.")
    daily_rows = [(text(day), num(sum(counts.values())), *(num(counts[s]) for s in f.sections))
                  for day, counts in f.daily.items()]
    days = list(f.daily)
    return block(
        "per-day", "Articles per day, by section", plots.articles_per_day(f),
        f"<h4>Longest runs of days without any article (up to {GAPS_LISTED})</h4>",
        table("gaps", ("first day", "last day", "days"), [(text(g.first), text(g.last), num(g.days)) for g in gaps]),
        "<h4>Days without any article</h4>",
        table("empty-days", ("day",), [(text(d),) for d in f.empty_days]),
        "<h4>Articles per day</h4>",
        table("daily", ("day", "articles", *f.sections), daily_rows,
              row_class=lambda i: "empty" if not f.daily[days[i]] else None),
        note=note, level=3)


def per_section(f: Figures) -> str:
    rows = [(text(s.section), num(s.articles), text(s.first), text(s.last), num(round(s.per_week, 1)))
            for s in f.section_stats]
    spans = block("sections", "First and last article per section", plots.sections(f),
                  table("section-table", ("section", "articles", "first day", "last day", "articles per week"), rows),
                  note="A section that stops before the others may have lost its navigation. Articles per week: "
                       "over the section's own first to last day.")
    if f.coverage_bucket == "day":  # the daily plot is already by section
        return spans
    return spans + block(
        "sections-time", f"Articles per {f.coverage_bucket}, by section", plots.sections_over_time(f),
        table("sections-time-table", (f.coverage_bucket, "articles", *f.sections),
              [(text(start), num(sum(counts.values())), *(num(counts[s]) for s in f.sections))
               for start, counts in f.sections_over_time]))


def fields(f: Figures) -> str:
    names = list(COVERAGE_FIELDS)
    overall = block(
        "coverage", "Share of articles with each field",
        plots.bars("coverage", names, [f.coverage[n] for n in names], "share of articles", percent=True),
        table("coverage-table", ("field", "item field", "articles with it", "share"),
              [(text(n), text(COVERAGE_FIELDS[n]), num(round(f.coverage[n] * f.articles)), pct(f.coverage[n]))
               for n in names]))
    over_time = block(
        "coverage-time", f"Field coverage per {f.coverage_bucket}", plots.coverage_over_time(f),
        table("coverage-time-table", (f.coverage_bucket, "articles", *names),
              [(text(start), num(n), *(pct(cov[name]) if cov else Cell("") for name in names))
               for start, n, cov in f.coverage_over_time],
              row_class=lambda i: None if f.coverage_over_time[i][1] else "empty"),
        note="A field that empties out from one date on is a change of the site's markup. Grey: no article.")
    return overall + over_time


def histogram_block(block_id: str, title: str, h: Histogram, unit: str) -> str:
    if not h.counts:
        return block(block_id, title, "<p>no values</p>")
    summary = table(f"{block_id}-summary", ("", unit), [(text(k), num(round(v, 1) if isinstance(v, float) else v))
                                                        for k, v in h.summary.items()])
    bins = table(f"{block_id}-bins", (f"from ({unit})", "to", "articles"),
                 [(num(round(h.edges[i], 1)), num(round(h.edges[i + 1], 1)), num(c)) for i, c in enumerate(h.counts)])
    return block(block_id, title, plots.histogram(block_id, h, unit), summary, bins)


def text_figures(f: Figures) -> str:
    dup_rows = [(Cell(h[:12] + "…"), num(len(group)), text(", ".join(a["article_id"] for a in group)),
                 text(group[0].get("title"))) for h, group in f.duplicates]
    revisions = sorted(f.revisions.items())
    return "\n".join((
        histogram_block("body-chars", "Body length", f.body_chars, "characters"),
        histogram_block("word-counts", "Words per article", f.word_counts, "words"),
        block("duplicates", "Duplicates by content hash",
              table("duplicates-table", ("content hash", "articles", "article ids", "title"), dup_rows),
              note=f"{len(f.duplicates):,} text(s) published under more than one article id "
                   f"({sum(len(g) for _, g in f.duplicates):,} articles)."),
        block("revisions", "Revisions per article",
              plots.bars("revisions", [f"revision {r}" for r, _ in revisions], [n for _, n in revisions], "articles"),
              table("revisions-table", ("highest revision", "articles"), [(num(r), num(n)) for r, n in revisions]),
              table("rows-per-article", ("rows read", "articles"),
                    [(num(r), num(n)) for r, n in sorted(f.rows_per_article.items())]),
              note="An incremental crawl exports an edited article again with its revision + 1."),
    ))


def top_block(block_id: str, title: str, counted: list[tuple[str, int]], what: str) -> str:
    if not counted:
        return block(block_id, title, f"<p>no article has {what}</p>")
    return block(block_id, title,
                 plots.bars(block_id, [name for name, _ in counted], [n for _, n in counted], "articles"),
                 table(f"{block_id}-table", (what, "articles"), [(text(name), num(n)) for name, n in counted]))


def people(f: Figures) -> str:
    return (top_block("top-authors", "Top authors", f.top_authors, "author")
            + top_block("top-tags", "Top tags", f.top_tags, "tag"))


def counter_block(block_id: str, title: str, counts: dict[str, int], what: str, note: str = "") -> str:
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if not ordered:
        return block(block_id, title, "<p>none</p>", note=note)
    return block(block_id, title,
                 plots.bars(block_id, [k for k, _ in ordered], [v for _, v in ordered], "count"),
                 table(f"{block_id}-table", (what, "count"), [(text(k), num(v)) for k, v in ordered]), note=note)


def crawl(c: CrawlFigures) -> str:
    runs = table("runs", ("crawl report", "finish reason", "verdict", "discovered", "exported", "failed",
                          "pages fetched", "pages given up", "seconds"),
                 [(text(r["report"]), text(r["finish_reason"]), text(r["verdict"]), num(r["discovered"]),
                   num(r["exported"]), num(r["failed"]), num(r["pages"]), num(r["given_up"]),
                   num(round(r["seconds"], 1) if r["seconds"] is not None else None)) for r in c.runs])
    rung_rows = [(text(field), *(num(c.rungs[field].get(rung, 0)) for rung in RUNG_ORDER)) for field in c.rungs]
    drift = "".join(f'<p class="alert">{escape(w)}</p>' for w in c.drift_warnings)
    failures = {f"{reason} ({kind})": n for (reason, kind), n in c.failures.items()}
    return "\n".join((
        block("runs-block", "Crawls", runs),
        counter_block("fates", "What happened to each article discovered", dict(c.fates), "fate"),
        counter_block("layouts", "Layouts the articles were read with", dict(c.layouts), "layout"),
        block("rungs", "Where each field came from (the drift alarm's figures)",
              plots.rungs({k: dict(v) for k, v in c.rungs.items()}, RUNG_ORDER) if c.rungs else "<p>none</p>",
              table("rungs-table", ("field", *RUNG_ORDER), rung_rows),
              note=drift + "A field read more and more by the generic rung means the site's markup changed."),
        counter_block("failures", "Pages given up, by reason", failures, "reason (page kind)"),
        counter_block("statuses", "Pages fetched, by HTTP status", dict(c.statuses), "status"),
        counter_block("render", "Rendering, related lists and AMP pages", dict(c.render), "stat (alinea/…)"),
    ))
