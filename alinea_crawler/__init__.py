"""alinea-crawler: ``scrapy crawl alinea`` turns alinea.id into a clean dataset of articles."""

__version__ = "1.1.0.dev0"  # the one place the version is written: setup.py, USER_AGENT and --version read it
