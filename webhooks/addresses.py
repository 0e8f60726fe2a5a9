"""A webhook's address must be public: one that is, or resolves to, a private, loopback,
link-local or otherwise non-global network address is refused when it is registered or changed
(the server would otherwise send its requests inside the CAF's network: SSRF, see
docs/security.md). ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES`` lifts the rule for development and
the tests that run a local receiver.

A name that does not resolve now is accepted: it reaches nothing (its deliveries fail, and
the endpoint is switched off after days of failures)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def internal_address(url: str) -> str | None:
    """The first non-public address the URL's host is or resolves to; None if there is none."""
    host = urlsplit(url).hostname
    if not host:
        return None
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):  # unknown name, or not a valid one
            return None
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]
    for address in addresses:
        mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1 is 127.0.0.1
        address = mapped or address
        if not address.is_global or address.is_multicast:
            return str(address)
    return None


def refusal(url: str) -> str:
    """Why this address may not be registered ("" if it may)."""
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return ""
    address = internal_address(url)
    if address is None:
        return ""
    return _(
        "Cette adresse mène à un réseau interne (%(address)s) : un webhook doit viser une "
        "adresse publique."
    ) % {"address": address}


def check_public(url: str) -> None:
    """Refuse (a ValidationError on ``url``) an address that leads inside."""
    reason = refusal(url)
    if reason:
        raise ValidationError({"url": [reason]})
