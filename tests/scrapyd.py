"""Real Scrapyd processes for the tests: own folder, free loopback port, basic auth, the project deployed."""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alinea_crawler.schedule import Scrapyd
from tests.crawl import REPO_ROOT, free_port

BIN = Path(sys.executable).parent
PROJECT, SPIDER = "alinea_crawler", "alinea"
USERNAME, PASSWORD = "crawler", "s3cret"
JOB_TIMEOUT = 60


def write_scrapyd_conf(folder: Path, port: int) -> None:
    """The repo's scrapyd.conf, on another port, with absolute folders under ``folder``."""
    conf = configparser.ConfigParser()
    conf.read(REPO_ROOT / "scrapyd.conf")
    assert conf["scrapyd"]["items_dir"] == "", "a non-empty items_dir would replace the project's FEEDS"
    conf["scrapyd"].update({
        "http_port": str(port), "poll_interval": "0.2", "max_proc": "4",
        **{name: str(folder / name) for name in ("eggs_dir", "logs_dir", "dbs_dir")},
    })
    with open(folder / "scrapyd.conf", "w") as file:
        conf.write(file)


@dataclass
class Server:
    url: str
    folder: Path
    env: dict[str, str]  # what cron would have: SCRAPYD_URL and the credentials

    @property
    def api(self) -> Scrapyd:
        return Scrapyd(self.url, USERNAME, PASSWORD, timeout=10)

    def schedule(self, *argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "alinea_crawler.schedule", *argv], cwd=REPO_ROOT,
                              env=env or self.env, capture_output=True, text=True, timeout=30)

    def log(self, job: str) -> str:
        path = self.folder / "logs_dir" / PROJECT / SPIDER / f"{job}.log"
        return path.read_text(encoding="utf-8") if path.exists() else "(no log)"

    def jobs(self) -> dict:
        return self.api.call("listjobs.json", query={"project": PROJECT})

    def wait_finished(self, job: str, timeout: float = JOB_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(j["id"] == job for j in self.jobs()["finished"]):
                return
            time.sleep(0.2)
        raise AssertionError(f"job {job} did not finish in {timeout}s:\n{self.log(job)[-3000:]}")


def wait_for_daemon(server: Server, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError((server.folder / "scrapyd.out").read_text())
        try:
            server.api.call("daemonstatus.json")
            return
        except Exception:
            time.sleep(0.2)
    raise AssertionError("scrapyd did not start:\n" + (server.folder / "scrapyd.out").read_text())


@contextmanager
def running_scrapyd(folder: Path, env: dict[str, str] | None = None) -> Iterator[Server]:
    """A Scrapyd in ``folder`` (its environment: ``env`` added to ours), the project deployed to it."""
    port = free_port()
    write_scrapyd_conf(folder, port)
    env = {**os.environ, **(env or {}), "SCRAPYD_URL": f"http://127.0.0.1:{port}",
           "SCRAPYD_USERNAME": USERNAME, "SCRAPYD_PASSWORD": PASSWORD}
    # cwd=folder: Scrapyd reads ./scrapyd.conf, and spiders run there, away from the repo's scrapy.cfg.
    proc = subprocess.Popen([str(BIN / "scrapyd")], cwd=folder, env=env,
                            stdout=open(folder / "scrapyd.out", "w"), stderr=subprocess.STDOUT)
    server = Server(env["SCRAPYD_URL"], folder, env)
    try:
        wait_for_daemon(server, proc)
        deploy = subprocess.run([str(BIN / "scrapyd-deploy"), "remote"], cwd=REPO_ROOT, env=env,
                                capture_output=True, text=True, timeout=60)
        assert deploy.returncode == 0 and '"status": "ok"' in deploy.stdout, deploy.stderr + deploy.stdout
        assert SPIDER in server.api.call("listspiders.json", query={"project": PROJECT})["spiders"]
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
