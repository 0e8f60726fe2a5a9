"""The API's JSON parser: DRF's, with a bound on nesting.

No body this API takes nests more than a few levels (a project with its axes, an evaluation
with its indicators). A body nested deeper than ``MAX_DEPTH`` is refused with a 400 in the
API's error shape, instead of exhausting Python's recursion limit (a 500) in the parser or
anywhere that walks the data afterwards.
"""

import json

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 64


def too_deep() -> ParseError:
    return ParseError(
        _("Le corps JSON est trop imbriqué (%(depth)d niveaux au plus).") % {"depth": MAX_DEPTH},
        code="too_deep",
    )


def depth_exceeds(data, limit: int) -> bool:
    """Whether ``data`` (parsed JSON) nests lists and objects deeper than ``limit`` (without
    recursion: it is the recursion that must not happen)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def unreadable(cause: BaseException | None) -> ParseError:
    """DRF's "JSON parse error - Expecting value…" is English whatever the caller's language:
    the same, said in the caller's language, with where the body stops being JSON."""
    if isinstance(cause, json.JSONDecodeError):
        message = _(
            "Le corps de la requête n'est pas du JSON valide (ligne %(line)d, colonne %(column)d)."
        ) % {"line": cause.lineno, "column": cause.colno}
    elif isinstance(cause, UnicodeDecodeError):
        message = _("Le corps de la requête n'est pas encodé en UTF-8.")
    else:  # NaN, Infinity…
        message = _("Le corps de la requête n'est pas du JSON valide.")
    return ParseError(message, code="parse_error")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:  # deeper than the interpreter can decode
            raise too_deep() from None
        except ParseError as exc:  # DRF's, raised while handling the decoder's error
            raise unreadable(exc.__context__) from None
        if depth_exceeds(data, MAX_DEPTH):
            raise too_deep()
        return data
