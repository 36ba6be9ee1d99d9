import pytest

from tests.postgres import PostgresServer, binaries
from tests.replica import Replica


@pytest.fixture(scope="session")
def replica():
    """The local alinea.id: 24 articles of every layout, started once per test run."""
    with Replica(articles=24, seed=2021) as running:
        yield running


@pytest.fixture(scope="session")
def postgres():
    """One real PostgreSQL server for the whole run (each test takes its own database: ``pg_database``)."""
    bin_dir = binaries()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql; .ci/run does)")
    server = PostgresServer(bin_dir)
    try:
        server.init()
        yield server
    finally:
        server.remove()


@pytest.fixture
def pg_database(postgres) -> str:
    """A fresh database's URL, password included (as a user would write it)."""
    return postgres.url(postgres.new_database())


@pytest.fixture(params=["sqlite", "postgresql"])
def state(request, tmp_path) -> str:
    """The incremental state's location, once per backend: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "deep" / "state.sqlite3")
    return request.getfixturevalue("pg_database")
