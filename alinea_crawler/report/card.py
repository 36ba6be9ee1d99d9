"""A Hugging Face–style dataset card (README.md with a YAML header) of an exported dataset.

The YAML header follows the Hub's dataset card metadata (``language``,
``size_categories``, ``task_categories``, ``task_ids``, ``dataset_info`` with
each feature's type and the number of examples); the text says what the data
is, how it was collected, its counts and its known limits, all from
``data.Figures``.
"""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from typing import Any

import yaml

from ..items import ArticleItem
from .data import COVERAGE_FIELDS, Figures

SIZE_CATEGORIES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
                   (10_000_000, "1M<n<10M"))
# What each item field holds, for the card's field table (README.md, "The item").
FIELD_NOTES = {
    "url": "canonical URL of the article", "article_id": "the id at the end of the URL (`b` + 8 characters)",
    "section": "first path segment of the URL", "title": "headline", "lead": "standfirst",
    "authors": "reporters, each once, byline order", "editor": "editor", "published_at":
    "ISO 8601 with the page's UTC offset", "published_at_raw": "the date as the page writes it",
    "modified_at": "ISO 8601", "tags": "tags", "image_url": "main image", "image_caption": "its caption",
    "body": "article text, paragraphs separated by a blank line, boilerplate removed",
    "word_count": "words in body", "related_urls": "linked articles of the site (Baca juga, Berita Lainnya)",
    "language": "`id`", "source": "`alinea.id`", "discovered_from": "the page that linked the article",
    "scraped_at": "UTC", "layout": "template the page was read with (`amp`: read from its AMP page)",
    "revision": "1, +1 each time a later crawl found the article edited",
    "content_hash": "SHA-256 of the normalised title, lead and body",
}


def size_category(n: int) -> str:
    return next((name for limit, name in SIZE_CATEGORIES if n < limit), "n>10M")


def feature_type(annotation: str) -> dict[str, str]:
    """The Hub's feature type of an item field: ``sequence: string``, ``dtype: int64`` or ``dtype: string``."""
    if annotation.startswith("list"):
        return {"sequence": "string"}
    return {"dtype": "int64" if annotation.startswith("int") else "string"}


def metadata(f: Figures) -> dict[str, Any]:
    return {
        "language": ["id"],
        "multilinguality": "monolingual",
        "pretty_name": "alinea.id news articles",
        "size_categories": [size_category(f.articles)],
        "source_datasets": ["original"],
        "language_creators": ["found"],
        "annotations_creators": ["no-annotation"],
        "task_categories": ["text-generation", "summarization", "text-classification"],
        "task_ids": ["language-modeling", "news-articles-summarization", "news-articles-headline-generation",
                     "topic-classification"],
        "license": "other",
        "license_name": "copyright-of-the-publisher",
        "dataset_info": {
            "features": [{"name": fd.name, **feature_type(str(fd.type))} for fd in dataclass_fields(ArticleItem)],
            "splits": [{"name": "train", "num_examples": f.articles}],
        },
    }


def card(f: Figures) -> str:
    """The card: YAML header, then Markdown."""
    header = yaml.safe_dump(metadata(f), sort_keys=False, allow_unicode=True)
    return f"---\n{header}---\n\n" + "\n".join(body(f)) + "\n"


def body(f: Figures) -> list[str]:
    coverage_of = {item_field: f.coverage[name] for name, item_field in COVERAGE_FIELDS.items()}
    lines = [
        "# alinea.id news articles",
        "",
        "Articles of the Indonesian news site [alinea.id](https://www.alinea.id), one row per article: title, "
        "lead, authors, editor, publication date with its UTC offset, tags, main image, the article text with "
        "the site's boilerplate removed, and where each article was found.",
        "",
        "## Counts",
        "",
        f"- articles: {f.articles:,} (the newest revision of each article id; {f.rows:,} rows read from "
        f"{len(f.files)} file(s))",
        f"- published from {f.first_day} to {f.last_day} (WIB days); {len(f.empty_days):,} day(s) in that range "
        "without any article",
        f"- sections: " + ", ".join(f"{s.section} {s.articles:,}" for s in f.section_stats),
        "",
        "## Fields",
        "",
        "| field | type | share of articles with it | what it holds |",
        "|---|---|---|---|",
    ]
    for fd in dataclass_fields(ArticleItem):
        kind = feature_type(str(fd.type))
        type_name = "list of string" if "sequence" in kind else kind["dtype"]
        share = f"{coverage_of[fd.name]:.1%}" if fd.name in coverage_of else ""
        lines.append(f"| `{fd.name}` | {type_name} | {share} | {FIELD_NOTES.get(fd.name, '')} |")
    lines += [
        "",
        "## How it was collected",
        "",
        "With [alinea-crawler](https://github.com/alinea-crawler/alinea-crawler), a Scrapy project: home page, "
        "sections and their load-more pages, `/indeks`, `/rss` and each article's related links; a User-Agent "
        "naming the project, robots.txt obeyed, low concurrency, AutoThrottle. Each field is read from the page's "
        "structured data first, then its meta tags, its known template, and a generic rule; an article without "
        "title, body or date is not exported.",
    ]
    if f.crawl:
        fetched = sum(run["pages"] for run in f.crawl.runs)
        failed = [run for run in f.crawl.runs if run["verdict"] != "OK"]
        lines += ["", f"{len(f.crawl.runs)} crawl(s), {fetched:,} pages fetched"
                  + (f"; {len(failed)} crawl(s) failed ({'; '.join(r['verdict'] for r in failed)}): "
                     "the data may be incomplete." if failed else "; every crawl passed its quality check.")]
    lines += [
        "",
        "## Known limits",
        "",
        "- Articles read from their AMP page (`layout` = `amp`, when the article page failed) have no authors, "
        f"editor or tags: AMP pages show none. Their date is the one on the listing card that linked them. "
        f"{f.layouts['amp']:,} such article(s) here.",
        f"- {1 - coverage_of['authors']:.1%} of the articles have no author, "
        f"{1 - coverage_of['tags']:.1%} no tags, {1 - coverage_of['image_url']:.1%} no image.",
        "- Days are counted in WIB (UTC+7). A day without articles may be a day the site published nothing "
        "or a gap in the crawl.",
        "- \"Berita Lainnya\" lists filled by JavaScript are complete only when the crawl could render or "
        "query them (`related_urls`).",
        f"- {len(f.duplicates):,} text(s) appear under more than one article id (same `content_hash`).",
        "",
        "## Copyright",
        "",
        "The articles' copyright stays with the publisher, alinea.id, and their authors. This dataset is a "
        "collection of publicly available pages for research; it grants no right to republish them.",
    ]
    return lines
