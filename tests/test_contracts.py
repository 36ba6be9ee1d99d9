"""`scrapy check alinea`: the spider's contracts, run against the replica (never the real site)."""

import http.server
import subprocess
import sys
import threading

from tests.crawl import REPO_ROOT


def scrapy_check(base_url: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", "check", "alinea", "-a", f"base_url={base_url}"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)


def test_contracts_pass_on_the_replica(replica):
    result = scrapy_check(replica.url)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Ran 4 contracts" in result.stderr and "OK" in result.stderr


def test_contracts_fail_on_a_site_that_is_not_alinea(tmp_path):
    """A server that answers 404 to everything: the smoke test must say the site no longer parses."""
    handler = lambda *args: http.server.SimpleHTTPRequestHandler(*args, directory=str(tmp_path))  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = scrapy_check(f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
    assert result.returncode != 0
    assert "FAILED" in result.stderr
