"""The browser as a background helper: its processes at a lower CPU priority than the crawl.

In ``render=auto`` the browser renders a page or two while the crawl goes on. Chromium's start-up
runs several processes at once (browser, GPU, renderers, utilities, Playwright's Node.js driver);
at the crawl's priority they take cores from the crawl and from the site server it talks to, and
run as root (containers, CI) Chromium even raises its display threads above it (nice -8:
``CanLowerNiceTo`` in Chromium's base/ is true for uid 0). Reniced, and without the capability to
raise itself again, the browser uses what the crawl leaves idle: the crawl keeps its pace, the pages
that wait for the render wait a little longer. Loaded by scrapy-playwright
(``PLAYWRIGHT_BROWSER_PROVIDER``) only when a page needs the browser.

Niceness alone is not enough on Linux with autogroups (``/proc/sys/kernel/sched_autogroup_enabled``,
on by default in most distributions' kernels): the scheduler first shares the cores between
sessions, then between the processes of one session by niceness. Playwright starts Chromium in a
session of its own, so Chromium competed with the crawl's whole session as an equal whatever its
niceness. Its session's group gets the same lower priority (``/proc/<pid>/autogroup``).
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
from collections.abc import Iterable
from pathlib import Path

from scrapy_playwright.provider import PlaywrightBrowserProvider

logger = logging.getLogger(__name__)

# Added to the crawl's own niceness (the kernel caps it at 19); the processes the driver starts inherit it.
BROWSER_NICENESS = 10
PR_CAPBSET_DROP, CAP_SYS_NICE = 24, 23  # <linux/prctl.h>, <linux/capability.h>
# How often the browser's launch is looked at for the session Chromium starts: it starts working at once
SESSION_LOOK_INTERVAL_S = 0.01


class BackgroundBrowserProvider(PlaywrightBrowserProvider):
    """scrapy-playwright's own provider, with Playwright's driver reniced as soon as it is started, before
    it launches the browser: Chromium and every process it forks inherit the lower priority."""

    driver_pids: frozenset[int] = frozenset()

    async def start(self) -> None:
        forbid_raising_priority()
        before = child_pids()
        await super().start()
        self.driver_pids = frozenset(child_pids() - before)  # the driver (nothing else starts processes meanwhile)
        for pid in self.driver_pids:
            lower_priority(pid, BROWSER_NICENESS)

    async def launch_browser(self):
        """The browser, its session's scheduling group lowered as soon as the driver has started it."""
        sessions = BrowserSessions(self.driver_pids)
        looking = asyncio.ensure_future(sessions.lower_while_launching())
        try:
            return await super().launch_browser()
        finally:
            looking.cancel()
            sessions.lower_new()  # a last look: a launch quicker than one interval


class BrowserSessions:
    """Sessions the driver's processes start (Chromium's) get a scheduling group below the crawl's."""

    def __init__(self, driver_pids: frozenset[int]):
        self.driver_pids = driver_pids
        self.own_session = os.getsid(0)
        self.niceness = autogroup_niceness("self")
        self.lowered: set[int] = set()  # session ids

    async def lower_while_launching(self) -> None:
        if self.niceness is None:
            return  # no autogroups here: niceness alone is the priority
        while True:
            self.lower_new()
            await asyncio.sleep(SESSION_LOOK_INTERVAL_S)

    def lower_new(self) -> None:
        if self.niceness is None:
            return
        for pid in descendants(self.driver_pids):
            try:
                session = os.getsid(pid)
            except OSError:  # gone already
                continue
            if session != self.own_session and session not in self.lowered \
                    and lower_autogroup(pid, min(19, self.niceness + BROWSER_NICENESS)):
                self.lowered.add(session)


def autogroup_niceness(pid: int | str) -> int | None:
    """The niceness of ``pid``'s autogroup (``/autogroup-42 nice 0``); None without autogroups."""
    try:
        return int(Path(f"/proc/{pid}/autogroup").read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        return None


def lower_autogroup(pid: int, niceness: int) -> bool:
    """Set the niceness of ``pid``'s autogroup (every process of its session); False if it could not be
    (gone, or the kernel's limit of one change per 100 ms for a process without CAP_SYS_ADMIN: next look)."""
    try:
        Path(f"/proc/{pid}/autogroup").write_text(str(niceness))
    except OSError as error:
        logger.debug("browser process %d keeps its scheduling group's priority: %s", pid, error)
        return False
    return True


def child_pids(pid: int | str = "self") -> set[int]:
    """A process's children (Linux ``/proc``; empty where there is none: nothing is reniced)."""
    pids: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            pids.update(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
    return pids


def descendants(pids: Iterable[int]) -> set[int]:
    found: set[int] = set()
    todo = list(pids)
    while todo:
        children = child_pids(todo.pop()) - found
        found |= children
        todo.extend(children)
    return found


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
