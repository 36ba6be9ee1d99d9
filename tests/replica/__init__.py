"""Local replica of alinea.id for tests and benchmarks.

``build_site(...)`` builds the deterministic content model in-process;
``Replica(...)`` runs the HTTP server (``python -m tests.replica``) in a
subprocess and keeps an identical model in ``.site``.
"""
from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

from .faults import FaultPlan, plan_from_options
from .model import Article, Site, build_site

REPO_ROOT = Path(__file__).resolve().parents[2]

__all__ = ["Article", "FaultPlan", "Replica", "Site", "build_site"]
MODEL_OPTIONS = ("articles", "seed", "hidden_every", "templates", "public_record", "hole", "sitemap_only_every",
                 "multipage_every")  # the rest only change how the server answers
FAULT_OPTIONS = ("faults", "fault_seed", "fault_max_in_row", "fault_slow", "fault_oversize", "fault_dead")


class Replica:
    """``with Replica(articles=24, seed=2021, hidden_every=8, templates="zoo") as r: r.url ...``"""

    def __init__(self, articles: int = 24, seed: int = 2021, **opts):
        self.options = {"articles": articles, "seed": seed, **opts}
        self.site = build_site(**{k: v for k, v in self.options.items() if k in MODEL_OPTIONS})
        # The faults the server injects (``faults=0``: none); ``.plan.broken()`` is what fails for good.
        self.plan = plan_from_options(self.site, **{k: v for k, v in opts.items() if k in FAULT_OPTIONS})
        self.url = ""
        self.proc = None

    def _argv(self) -> list:
        argv = [sys.executable, "-m", "tests.replica", "--port", "0"]
        for name, value in self.options.items():
            if isinstance(value, bool):  # a flag
                argv += [f"--{name.replace('_', '-')}"] if value else []
            else:
                argv += [f"--{name.replace('_', '-')}", str(value)]
        return argv

    def __enter__(self) -> "Replica":
        self.proc = subprocess.Popen(self._argv(), cwd=REPO_ROOT, stdout=subprocess.PIPE,
                                     text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("http://"):
            self.close()
            raise RuntimeError(f"replica did not start (got {line!r})")
        self.url = line.rstrip("/")
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.proc = None

    def url_for(self, path: str) -> str:
        return self.url + "/" + path.lstrip("/")

    def _call(self, path: str, method: str = "GET"):
        req = urllib.request.Request(self.url_for(path), method=method, data=b"" if method == "POST" else None)
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    def publish(self, k: int = 1) -> list:
        """Publishes ``k`` new articles on the server and in ``self.site``."""
        return self._change("publish", "published", self.site.publish, k)

    def edit(self, k: int = 1) -> list:
        """Edits the ``k`` newest listed articles (a sentence added to each body) on the server and in ``self.site``."""
        return self._change("edit", "edited", self.site.edit, k)

    def _change(self, action: str, done: str, in_model, k: int) -> list:
        """The same change on the server (``/_admin/<action>``) and in the model; both must name the same articles."""
        codes = self._call(f"/_admin/{action}?count={k}", "POST")[done]
        expected = in_model(k)
        if codes != expected:
            raise RuntimeError(f"server {done} {codes}, model {expected}")
        return codes

    def stats(self) -> dict:
        return self._call("/_admin/stats")

    def faults(self) -> dict:
        """``served_ok`` (codes of articles served correctly at least once), ``injected``, ``hosts``."""
        return self._call("/_admin/faults")
