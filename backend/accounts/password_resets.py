"""Password-reset e-mails, throttled: a mailbox is not flooded, and one address cannot send
them to every account.

In ``PASSWORD_RESET_WINDOW_SECONDS`` (an hour, from the first request), one client address may
ask ``PASSWORD_RESET_LIMIT_PER_ADDRESS`` (10) times, whatever the e-mail typed (known or not),
and one account receives at most ``PASSWORD_RESET_LIMIT_PER_ACCOUNT`` (3) e-mails, whoever
asks. Beyond, no e-mail is sent and the page answers as usual (it never says whether an
account exists). The counts are kept in the cache that every process shares.
"""

from django.conf import settings

from backend.core.counters import count_in_window


def _counted(key: str, limit: int) -> bool:
    """One more use of ``key`` in its window; whether it is still within ``limit``."""
    return count_in_window(key, settings.PASSWORD_RESET_WINDOW_SECONDS) <= limit


def recipients(users, address: str | None) -> list:
    """Which of ``users`` (those a reset request for one e-mail address names) get the e-mail
    now, the request coming from client ``address``; counts the request and each e-mail."""
    if not _counted(f"password-reset:address:{address}", settings.PASSWORD_RESET_LIMIT_PER_ADDRESS):
        return []
    return [
        user
        for user in users
        if _counted(f"password-reset:account:{user.pk}", settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT)
    ]
