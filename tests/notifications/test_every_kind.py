"""Every kind of notification has its own e-mail: a template (subject, text, HTML) and a
builder of its context. There is no fallback: a new kind without them fails here (and a row of
it could not be sent). What each kind's e-mail says is in tests/mail/test_facts.py."""

from django.template.loader import get_template

from notifications.delivery.emails import BUILDERS, TEMPLATE_OF, TEMPLATES
from notifications.models import Kind


def test_every_kind_has_a_template_and_a_builder():
    assert set(TEMPLATE_OF) == set(Kind.values)
    assert set(BUILDERS) == set(Kind.values)


def test_every_kind_s_template_has_its_three_parts():
    for name in set(TEMPLATE_OF.values()):
        for part in ("subject.txt", "txt", "html"):
            get_template(f"{TEMPLATES}/{name}.{part}")  # raises TemplateDoesNotExist
