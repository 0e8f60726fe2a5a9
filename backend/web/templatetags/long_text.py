"""Long texts that wrap at sensible points: ``{{ title|breakable }}`` lets the browser break a
web address after its slashes and before its query (``<wbr>``), instead of between any two
letters once it overflows, and never hyphenates it (``.web-address``); the rest of the text is
escaped and wraps between words (hyphenated in the page's language)."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

ADDRESS = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
BREAK_AFTER = re.compile(r"(//|/|&amp;|=|_)(?=\w)")
BREAK_BEFORE = re.compile(r"(?<=\w)(\?|#)")


def _breakable_address(address: str) -> str:
    escaped = escape(address)
    escaped = BREAK_AFTER.sub(r"\1<wbr>", escaped)
    return BREAK_BEFORE.sub(r"<wbr>\1", escaped)


@register.filter(is_safe=True)
def breakable(text) -> str:
    text = "" if text is None else str(text)
    parts, last = [], 0
    for match in ADDRESS.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f'<span class="web-address">{_breakable_address(match.group(0))}</span>')
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))
