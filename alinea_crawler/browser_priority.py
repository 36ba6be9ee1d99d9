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
niceness. Its session's group gets the same lower priority (``/proc/<pid>/autogroup``), and comes
back up to the crawl's while the crawl has nothing else to do but wait for the browser
(``rendering.CrawlBrowser.keep_priority``): a background browser on a machine other sessions keep
busy would otherwise get almost no core while the crawl sits idle.
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
# How often the driver's start and the browser's launch are looked at for new processes and sessions
SESSION_LOOK_INTERVAL_S = 0.01


class BackgroundBrowserProvider(PlaywrightBrowserProvider):
    """scrapy-playwright's own provider, with Playwright's driver reniced as it starts, before it launches
    the browser: Chromium and every process it forks inherit the lower priority; Chromium's session's
    scheduling group is lowered as it launches."""

    sessions: BrowserSessions | None = None

    async def start(self) -> None:
        forbid_raising_priority()
        before = child_pids()
        lowering = asyncio.ensure_future(lower_new_children(before))  # the driver's own start-up too
        try:
            await super().start()
        finally:
            lowering.cancel()
        driver = frozenset(child_pids() - before)  # nothing else starts processes meanwhile
        for pid in driver:
            lower_priority(pid, BROWSER_NICENESS)
        self.sessions = BrowserSessions(driver)

    async def launch_browser(self):
        """The browser, its session's scheduling group lowered as soon as the driver has started it."""
        looking = asyncio.ensure_future(self.sessions.look_while_launching())
        try:
            return await super().launch_browser()
        finally:
            looking.cancel()
            self.sessions.look()  # a last look: a launch quicker than one interval

    def in_background(self, background: bool) -> None:
        """Background: the browser's session below the crawl's; else at the crawl's priority (when the
        crawl waits for the browser, which must then not be starved by other sessions' work)."""
        self.sessions.background = background
        self.sessions.look()


async def lower_new_children(before: set[int]) -> None:
    """Renice this process's new children (and their threads) as they appear, until cancelled."""
    while True:
        for pid in child_pids() - before:
            lower_priority(pid, BROWSER_NICENESS)
        await asyncio.sleep(SESSION_LOOK_INTERVAL_S)


class BrowserSessions:
    """The sessions the driver's processes start (Chromium's), each one scheduling group."""

    def __init__(self, driver_pids: frozenset[int]):
        self.driver_pids = driver_pids
        own = autogroup_niceness("self")
        # the group's niceness in the background and not; None: no autogroups, niceness alone is the priority
        self.niceness = None if own is None else {True: min(19, own + BROWSER_NICENESS), False: own}
        self.own_session = os.getsid(0) if own is not None else None
        self.background = True
        self.found: dict[int, int] = {}  # session id -> one of its processes
        self.applied: dict[int, int] = {}  # session id -> niceness its group has

    async def look_while_launching(self) -> None:
        while self.niceness is not None:
            self.look()
            await asyncio.sleep(SESSION_LOOK_INTERVAL_S)

    def look(self) -> None:
        """The sessions of the driver's live descendants (each with one of its processes, alive now), each
        group then given the wanted priority."""
        if self.niceness is None:
            return
        found: dict[int, int] = {}
        for pid in descendants(self.driver_pids):
            try:
                session = os.getsid(pid)
            except OSError:  # gone already
                continue
            if session != self.own_session:
                found.setdefault(session, pid)
        self.found = found
        self.applied = {session: niceness for session, niceness in self.applied.items() if session in found}
        self.apply()

    def apply(self) -> None:
        if self.niceness is None:
            return
        wanted = self.niceness[self.background]
        for session, pid in list(self.found.items()):
            if self.applied.get(session) == wanted:
                continue
            try:
                Path(f"/proc/{pid}/autogroup").write_text(str(wanted))
            except FileNotFoundError:  # gone since the look (a short-lived helper): the next look finds another
                continue
            except OSError as error:  # without CAP_SYS_ADMIN, the kernel takes one change per 100 ms: next time
                logger.debug("browser session %d keeps its scheduling group's priority for now: %s", session, error)
            else:
                self.applied[session] = wanted
                logger.debug("browser session %d: scheduling group at niceness %d", session, wanted)


def autogroup_niceness(pid: int | str) -> int | None:
    """The niceness of ``pid``'s autogroup (``/autogroup-42 nice 0``); None without autogroups."""
    try:
        return int(Path(f"/proc/{pid}/autogroup").read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        return None


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
