"""One log line per dropped item (reason + URL), not the whole item dumped after it."""

from scrapy.logformatter import LogFormatter


class OneLineLogFormatter(LogFormatter):
    def dropped(self, item, exception, response, spider):
        entry = super().dropped(item, exception, response, spider)
        entry["msg"] = "%(exception)s"
        return entry
