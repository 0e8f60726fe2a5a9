"""Counting uses of something in a time window, in the cache every process shares (the bad-link
limit, the password-reset limits)."""

from django.core.cache import cache
from django.db import transaction


def count_in_window(key: str, seconds: int) -> int:
    """One more use of ``key``; how many there have been in its window, which the first use
    opens and which lasts ``seconds``.

    No count is lost to another process: Redis's incr is atomic; the database cache (the
    embedded run) reads and writes the count in this transaction, which SQLite begins with the
    write lock (settings: transaction_mode IMMEDIATE)."""
    with transaction.atomic():
        if cache.add(key, 1, seconds):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # the window closed between add and incr
            cache.add(key, 1, seconds)
            return 1
