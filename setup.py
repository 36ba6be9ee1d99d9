"""Packaging for Scrapyd: ``scrapyd-deploy`` builds the egg from this file.

Only the ``alinea_crawler`` package goes in (not the tests). Its data files
are listed in ``package_data`` and read with ``importlib.resources`` (never a
path next to ``__file__``: eggs are zipped).
Dependencies are not bundled: install requirements.txt where Scrapyd runs.
"""

import re
from pathlib import Path

from setuptools import find_packages, setup

# The version is written once, in alinea_crawler/__init__.py (read, not imported: no dependency needed here).
VERSION = re.search(r'^__version__ = "([^"]+)"', Path(__file__).with_name("alinea_crawler").joinpath(
    "__init__.py").read_text(encoding="utf-8"), re.M).group(1)

setup(
    name="alinea-crawler",
    version=VERSION,
    license="MIT",
    packages=find_packages(include=["alinea_crawler", "alinea_crawler.*"]),
    package_data={"alinea_crawler.report": ["template.html"]},  # the report page (report/render.py)
    entry_points={"scrapy": ["settings = alinea_crawler.settings"]},
    zip_safe=True,
)
