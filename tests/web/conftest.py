import pytest
from django.test import Client


@pytest.fixture
def page_client():
    """``page_client(user)`` → a Django test client signed in as ``user`` (None: anonymous)."""

    def make(user=None):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make
