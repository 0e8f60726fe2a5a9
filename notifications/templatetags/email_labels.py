"""``{{ role|label:"kind" }}``: what ``role.get_kind_display`` shows, at a fraction of its cost.

Django's ``get_FOO_display()`` rebuilds a dictionary of every choice of the field (made
hashable) at each call: about 50 µs, and an e-mail listing an action's roles calls it a dozen
times, for each of the thousands of e-mails a sweep renders. Here the dictionary is built once
per field. The labels stay lazy: they are translated when shown, in the e-mail's language.
"""

import functools

from django import template

register = template.Library()


@register.filter
def label(instance, name: str) -> str:
    if instance is None or instance == "":
        return ""
    field = instance._meta.get_field(name)
    value = getattr(instance, field.attname)
    return str(choice_labels(field).get(value, value))


@functools.cache
def choice_labels(field) -> dict:
    return dict(field.flatchoices)
