import pytest

from tests.replica import Replica


@pytest.fixture(scope="session")
def replica():
    """The local alinea.id: 24 articles of every layout, started once per test run."""
    with Replica(articles=24, seed=2021) as running:
        yield running
