"""Spider arguments: one table of raw kwargs -> the error a user sees (zyte's test_parameters)."""

from datetime import datetime, timedelta, timezone

import pytest

from alinea_crawler.args import ArgumentError, CrawlArgs
from alinea_crawler.spiders.alinea import AlineaSpider

WIB = timezone(timedelta(hours=7))
ARTICLE = "https://www.alinea.id/politik/judul-berita-b2k8w9PZK"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"max_pages": "ten"}, "spider argument max_pages='ten': expected a positive integer"),
        ({"max_pages": "0"}, "max_pages='0': expected a positive integer"),
        ({"related_depth": "-1"}, "related_depth='-1': expected a whole number"),
        ({"render": "sometimes"}, "render='sometimes': expected auto or never or always"),
        ({"follow_related": "maybe"}, "follow_related='maybe': expected 1/0"),
        ({"refresh": "2"}, "refresh='2': expected 1/0"),
        ({"base_url": "www.alinea.id"}, "base_url='www.alinea.id': expected a site root"),
        ({"base_url": "https://www.alinea.id/politik"}, "expected a site root"),
        ({"sections": "politik,Bisnis!"}, "sections='politik,Bisnis!': expected a comma list"),
        ({"since": "kemarin lusa"}, "since='kemarin lusa': expected a date"),
        ({"since": "2026-11-01 foo"}, "since='2026-11-01 foo': expected a date"),
        ({"since": "2026-11-02", "until": "2026-11-01"}, "since is after until"),
        ({"url": "https://www.alinea.id/tentang-kami"}, "url='https://www.alinea.id/tentang-kami': expected article URLs"),
        ({"url": ARTICLE, "base_url": "http://127.0.0.1:8000"}, "not on the base_url host '127.0.0.1:8000'"),
        ({"urls_file": "/nonexistent/urls.txt"}, "urls_file='/nonexistent/urls.txt': expected a readable file"),
        ({"max_page": "3"}, "unknown spider argument 'max_page': expected one of base_url, follow_related, from_warc, max_pages"),
        ({"from_warc": "/nonexistent/*.warc.gz"}, "from_warc='/nonexistent/*.warc.gz': expected a WARC file, a directory"),
    ],
)
def test_bad_arguments_name_argument_value_and_expectation(kwargs, error):
    with pytest.raises(ArgumentError) as raised:
        CrawlArgs.from_kwargs(**kwargs)
    assert error in str(raised.value)
    assert "\n" not in str(raised.value)


def test_defaults_point_at_the_real_site():
    args = CrawlArgs.from_kwargs()
    assert args == CrawlArgs()
    assert args.base_url == "https://www.alinea.id"
    assert (args.render, args.follow_related, args.related_depth, args.refresh) == ("auto", True, 1, False)


def test_values_are_parsed_to_types():
    args = CrawlArgs.from_kwargs(
        base_url="http://127.0.0.1:8000/", sections="politik, bisnis", max_pages="3", since="2026-11-01",
        until="2026-11-02", follow_related="no", related_depth="2", render="never", refresh="yes",
    )
    assert args.base_url == "http://127.0.0.1:8000"
    assert args.sections == ("politik", "bisnis")
    assert args.max_pages == 3 and args.related_depth == 2
    assert args.since == datetime(2026, 11, 1, tzinfo=WIB)
    assert args.until == datetime(2026, 11, 2, 23, 59, 59, 999999, tzinfo=WIB)
    assert (args.follow_related, args.render, args.refresh) == (False, "never", True)


def test_scrapyd_underscore_arguments_pass(tmp_path):
    spider = AlineaSpider(_job="2f1c0a", _version="r1", max_pages="2")
    assert spider.job_id == "2f1c0a"
    assert spider.args.max_pages == 2


def test_urls_give_base_url_and_urls_file_adds_more(tmp_path):
    listed = tmp_path / "urls.txt"
    listed.write_text("# wanted\nhttp://127.0.0.1:9/bisnis/lain-b2cDV98xq\n\n", encoding="utf-8")
    args = CrawlArgs.from_kwargs(url="http://127.0.0.1:9/politik/a-b2k8w9PZK", urls_file=str(listed))
    assert args.base_url == "http://127.0.0.1:9"
    assert args.start_urls == ("http://127.0.0.1:9/politik/a-b2k8w9PZK", "http://127.0.0.1:9/bisnis/lain-b2cDV98xq")


def test_spider_allowed_domain_follows_base_url():
    spider = AlineaSpider(base_url="http://127.0.0.1:8123")
    assert spider.allowed_domains == ["127.0.0.1"]
    assert spider.url("/indeks") == "http://127.0.0.1:8123/indeks"


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n   \n# another\n"], ids=["empty", "blank", "comments"])
def test_a_urls_file_without_urls_is_an_error(tmp_path, text):
    listed = tmp_path / "urls.txt"
    listed.write_text(text, encoding="utf-8")
    with pytest.raises(ArgumentError, match=r"urls_file='.*urls.txt': the file lists no article URL"):
        CrawlArgs.from_kwargs(urls_file=str(listed))


def test_with_urls_related_links_are_followed_only_when_asked():
    assert CrawlArgs.from_kwargs(url=ARTICLE).follow_related is False
    assert CrawlArgs.from_kwargs(url=ARTICLE, follow_related="1").follow_related is True
    assert CrawlArgs.from_kwargs().follow_related is True
