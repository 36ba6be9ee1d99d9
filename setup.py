"""Packaging for Scrapyd: ``scrapyd-deploy`` builds the egg from this file.

Only the ``alinea_crawler`` package goes in (not the tests). Its data files
are listed in ``package_data`` and read with ``importlib.resources`` (never a
path next to ``__file__``: eggs are zipped).
Dependencies are not bundled: install requirements.txt where Scrapyd runs.
"""

from setuptools import find_packages, setup

setup(
    name="alinea-crawler",
    version="1.0",
    packages=find_packages(include=["alinea_crawler", "alinea_crawler.*"]),
    package_data={"alinea_crawler.report": ["template.html"]},  # the report page (report/render.py)
    entry_points={"scrapy": ["settings = alinea_crawler.settings"]},
    zip_safe=True,
)
