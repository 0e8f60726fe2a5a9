import pytest

from tests.webhooks.receiver import running


@pytest.fixture
def receiver():
    """A real HTTP server receiving the webhooks (200 unless told to fail)."""
    with running() as server:
        yield server
