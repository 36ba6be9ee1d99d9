"""Settings checked before anything starts: one line naming the setting, exit 2, no request made."""
from __future__ import annotations

import re

import pytest
from scrapy.utils.test import get_crawler

from alinea_crawler import settings as project_settings
from alinea_crawler.config import SETTINGS, SettingError, SettingsCheck, check_settings
from alinea_crawler.spiders.alinea import AlineaSpider
from tests.crawl import REPO_ROOT, run_crawl


def test_every_alinea_setting_in_settings_py_has_a_check():
    source = (REPO_ROOT / "alinea_crawler" / "settings.py").read_text(encoding="utf-8")
    defined = set(re.findall(r"^(ALINEA_[A-Z0-9_]+)\s*=", source, re.M))
    assert defined == {name for name in dir(project_settings) if name.startswith("ALINEA_")}
    assert defined - set(SETTINGS) == set(), "add a row to alinea_crawler.config.SETTINGS"
    check_settings(get_crawler(settings_dict={n: getattr(project_settings, n) for n in defined}).settings)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("ALINEA_MIN_ITEMS", "abc", "setting ALINEA_MIN_ITEMS='abc': expected a whole number, 0 or more"),
    ("ALINEA_MAX_ERROR_RATE", "abc", "setting ALINEA_MAX_ERROR_RATE='abc': expected a share between 0 and 1"),
    ("ALINEA_MAX_DROP_RATE", "1.5", "setting ALINEA_MAX_DROP_RATE='1.5': expected a share between 0 and 1"),
    ("ALINEA_MIN_COVERAGE", "abc", "setting ALINEA_MIN_COVERAGE='abc': expected JSON such as"),
    ("ALINEA_MIN_COVERAGE", '{"titel": 1.0}', "expected item fields; 'titel' is none"),
    ("ALINEA_MIN_COVERAGE", '{"title": "all"}', "expected a share between 0 and 1 per field; 'title' has 'all'"),
    ("ALINEA_RENDER_WAIT_MS", "abc", "setting ALINEA_RENDER_WAIT_MS='abc': expected a whole number, 1 or more"),
    ("ALINEA_RETRY_BACKOFF", "-1", "setting ALINEA_RETRY_BACKOFF='-1': expected a number of seconds"),
    ("ALINEA_INCREMENTAL", "maybe", "setting ALINEA_INCREMENTAL='maybe': expected 1/0 or true/false"),
    ("ALINEA_REPORT_FILE", "/tmp/r-%(date)s.json", "expected a file name; only %(name)s"),
    ("ALINEA_MIN_ITEM", "3", "unknown setting ALINEA_MIN_ITEM='3': alinea-crawler has no such setting"),
])
def test_a_bad_setting_is_one_line_and_nothing_is_fetched(replica, tmp_path, name, value, message):
    before = replica.stats()["requests"]
    result = run_crawl(tmp_path, {"base_url": replica.url, "render": "never"}, {name: value})
    assert result.returncode == 2
    assert message in result.log
    assert result.log.strip().count("\n") == 0, result.log  # the one line, no banner, no usage text
    assert "Traceback" not in result.log
    assert replica.stats()["requests"] == before
    assert not (tmp_path / "items.jsonl").exists()


def test_crawls_started_from_python_are_checked_too():
    crawler = get_crawler(AlineaSpider, {"ALINEA_MAX_ERROR_RATE": "ten percent"})
    with pytest.raises(SettingError, match="ALINEA_MAX_ERROR_RATE='ten percent'"):
        SettingsCheck.from_crawler(crawler)


def test_good_values_in_either_spelling_pass():
    crawler = get_crawler(settings_dict={"ALINEA_MIN_COVERAGE": '{"authors": 0.5}', "ALINEA_INCREMENTAL": "1",
                                         "ALINEA_MAX_ERROR_RATE": 0.2, "ALINEA_MIN_ITEMS": "0",
                                         "ALINEA_REPORT_FILE": "/data/%(name)s-%(job_id)s.json"})
    check_settings(crawler.settings)
