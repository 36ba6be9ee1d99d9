"""CSV with list fields joined by "; " (Scrapy's default joins with a bare ",")."""

from scrapy.exporters import CsvItemExporter


class ArticleCsvItemExporter(CsvItemExporter):
    def __init__(self, file, **kwargs):
        kwargs.setdefault("join_multivalued", "; ")
        super().__init__(file, **kwargs)
