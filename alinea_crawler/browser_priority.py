"""The browser as a background helper: its processes at a lower CPU priority than the crawl.

In ``render=auto`` the browser renders a page or two while the crawl goes on. Chromium's start-up
runs several processes at once (browser, GPU, renderers, utilities, Playwright's Node.js driver);
at the crawl's priority they take cores from the crawl and from the site server it talks to, and
run as root (containers, CI) Chromium even raises its display threads above it (nice -8:
``CanLowerNiceTo`` in Chromium's base/ is true for uid 0). Reniced, and without the capability to
raise itself again, the browser uses what the crawl leaves idle: the crawl keeps its pace, the pages
that wait for the render wait a little longer. Loaded by scrapy-playwright
(``PLAYWRIGHT_BROWSER_PROVIDER``) only when a page needs the browser.
"""

from __future__ import annotations

import ctypes
import logging
import os
from pathlib import Path

from scrapy_playwright.provider import PlaywrightBrowserProvider

logger = logging.getLogger(__name__)

# Added to the crawl's own niceness (the kernel caps it at 19); the processes the driver starts inherit it.
BROWSER_NICENESS = 10
PR_CAPBSET_DROP, CAP_SYS_NICE = 24, 23  # <linux/prctl.h>, <linux/capability.h>


class BackgroundBrowserProvider(PlaywrightBrowserProvider):
    """scrapy-playwright's own provider, with Playwright's driver reniced as soon as it is started, before
    it launches the browser: Chromium and every process it forks inherit the lower priority."""

    async def start(self) -> None:
        forbid_raising_priority()
        before = child_pids()
        await super().start()
        for pid in child_pids() - before:  # the driver (nothing else starts processes meanwhile)
            lower_priority(pid, BROWSER_NICENESS)


def child_pids() -> set[int]:
    """This process's children (Linux ``/proc``; empty where there is none: nothing is reniced)."""
    pids: set[int] = set()
    for task in Path("/proc/self/task").glob("*"):
        try:
            pids.update(int(pid) for pid in (task / "children").read_text().split())
        except OSError:
            continue
    return pids


def lower_priority(pid: int, by: int) -> None:
    """Every thread of ``pid`` (Linux renices one thread at a time) ``by`` below this process."""
    niceness = os.getpriority(os.PRIO_PROCESS, 0) + by
    for thread in [int(tid.name) for tid in Path(f"/proc/{pid}/task").glob("*")] or [pid]:
        try:
            os.setpriority(os.PRIO_PROCESS, thread, niceness)
        except OSError as error:  # gone already, or not allowed
            logger.debug("browser thread %d keeps its priority: %s", thread, error)


def forbid_raising_priority() -> None:
    """As root, drop CAP_SYS_NICE from the capability bounding set: programs this process starts from now
    on (the driver, the browser) cannot raise their priority again; the crawl itself keeps its
    capabilities, and never starts another program that needs this one."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not Path("/proc/self/status").exists():
        return  # not root: a child cannot go below the niceness it inherits anyway
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_CAPBSET_DROP, CAP_SYS_NICE, 0, 0, 0) != 0:
        logger.debug("CAP_SYS_NICE stays in the bounding set (errno %d): Chromium may raise its display "
                     "threads above the crawl", ctypes.get_errno())
