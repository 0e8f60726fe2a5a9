"""Fuzzing the web pages' forms, as each account that can reach them.

Every form of ``tests/fuzz/pages.py`` (every page URL with a POST handler, and the GET
filters) is sent bodies on the Loire demo data, as each staff role (the social worker and the
territory manager of the territory of the draft action fuzzed, the board secretary, the
director, the admin), or without an account for the partner pages (with a real personal
link). No answer may be a 5xx.

- The sweep (``make test``): each field of each form, in a body otherwise as a user fills it
  in, gets in turn a null character, a million characters, a lone surrogate (invalid UTF-8 on
  the wire), right-to-left and combining marks with emoji, « ² » (a digit for str.isdigit()
  but not for int()), 5,000 digits (beyond int()'s limit), years 9999 and 1; then it is left
  out. As the form's first caller, the one who may act, so that the body is read.
- Hypothesis: a body as a user fills it in; the same with one field spoiled or left out; or
  any mix of fields, each what a user would type, any text, one of ``NASTY`` (the above, text
  just over each limit, numbers out of range or not numbers, absurd dates, markup) or several
  values for one field. One body per form and caller in ``make test``; ``PROOF_EXAMPLES`` in
  ``make reliability`` (``proof``).

Reproducible: Hypothesis is derandomized, and each request runs in a savepoint rolled back
afterwards, so every request meets the same data. Throttling counters live in the cache,
cleared between forms.
"""

import io
import time
from copy import deepcopy
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import get_resolver, resolve
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from backend.accounts.models import User
from tests.fuzz.pages import Form, every_form

pytestmark = pytest.mark.django_db

# Hypothesis bodies per form and caller: 35 forms, most as 5 accounts (116 pairs).
QUICK_EXAMPLES = 1
PROOF_EXAMPLES = 25
QUICK_MINIMUM = 900
PROOF_MINIMUM = 2000

HUGE = "x" * 1_000_000
NASTY = [
    "\x00",
    "Ateliers\x00 du soir",
    "\ud800",  # a lone surrogate: invalid UTF-8 once encoded
    "a\udfffb",
    "\u202eRTL\u202c override",
    "e\u0301" * 300,  # combining accents
    "\u200b\ufeff",
    "Z\u0334\u0321\u031ba\u0337l\u0338g\u0336o",
    "\U0001f4a5\U0001f1eb\U0001f1f7",
    "\uff10\uff11\uff12",  # full-width digits
    "\u0663",  # Arabic-Indic three
    "\u00b2",  # superscript two: isdigit() but not a number
    "-1",
    "0",
    "9" * 40,
    "9" * 5000,  # beyond Python's int() limit of 4300 digits
    "1e309",
    "NaN",
    "Infinity",
    "0x10",
    "9999-12-31",
    "0001-01-01",
    "0000-00-00",
    "2027-02-30",
    "31/12/9999",
    "01/01/0001",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "2027-06-30T25:61",
    "",
    " ",
    "[]",
    "null",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
    "x" * 33,
    "x" * 201,
    "x" * 10_001,
    HUGE,
]
ABSENT = object()
# The sweep: each field of each form, in a body otherwise as a user fills it in, gets each of
# these in turn (as the form's first caller, the one who may act), then is left out.
SWEEP = [
    "Ateliers\x00 du soir",
    HUGE,
    "a\udfffb",
    "\u202e\u0663\u00b2 e\u0301\U0001f4a5",
    "\u00b2",
    "9" * 5000,
    "9999-12-31",
    "0001-01-01",
    ABSENT,
]


@dataclass
class Tally:
    posts: int = 0
    gets: int = 0
    by_status: dict = field(default_factory=dict)
    by_form: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)

    def count(self, form: str, method: str, status: int) -> None:
        statuses = self.by_form.setdefault(form, {})
        statuses[status] = statuses.get(status, 0) + 1
        if method == "get":
            self.gets += 1
        else:
            self.posts += 1
        self.by_status[status] = self.by_status.get(status, 0) + 1


def any_value(typed: st.SearchStrategy) -> st.SearchStrategy:
    nasty = st.sampled_from(NASTY)
    one = st.one_of(typed, nasty, st.text(max_size=30))
    return st.one_of(one, one, st.lists(one, min_size=2, max_size=3))


def bodies(form: Form) -> st.SearchStrategy:
    """A form as a user fills it in; the same with one field spoiled or left out; or any mix of
    the fields, each any value."""
    if not form.fields:
        return st.one_of(
            st.just({}), st.dictionaries(st.sampled_from(["comment", "x"]), any_value(st.text()))
        )
    typed = st.fixed_dictionaries(form.fields)
    spoiled = st.tuples(
        typed,
        st.sampled_from(sorted(form.fields)),
        st.one_of(st.just(ABSENT), st.sampled_from(NASTY), any_value(st.text(max_size=10))),
    ).map(lambda t: {**t[0], t[1]: t[2]})
    mixed = st.fixed_dictionaries({}, optional={k: any_value(v) for k, v in form.fields.items()})
    return st.one_of(typed, spoiled, spoiled, mixed)


def encode(body: dict) -> str:
    """``application/x-www-form-urlencoded``, lone surrogates sent as the bytes they would be."""
    pairs = []
    for name, value in body.items():
        if value is ABSENT:
            continue
        for one in value if isinstance(value, list) else [value]:
            pairs.append((name.encode(), one.encode("utf-8", "surrogatepass")))
    return urlencode(pairs)


def signed_in(username: str | None, form: Form) -> Client:
    client = Client()
    if username is not None:
        client.force_login(User.objects.get(username=username))
    if form.prepare:
        client.get(form.prepare)
    return client


def send(base: Client, form: Form, body: dict):
    client = Client()
    client.cookies = deepcopy(base.cookies)  # signing out or in must not change the next post
    if form.method == "get":
        return client.get(f"{form.url}?{encode(body)}")
    return client.post(form.url, encode(body), content_type="application/x-www-form-urlencoded")


def attempt(base: Client, form: Form, username, body: dict, tally: Tally) -> None:
    """One request in a savepoint rolled back; a server error is counted, never raised."""
    status = 500
    try:
        with transaction.atomic():
            response = send(base, form, body)
            status = response.status_code
            transaction.set_rollback(True)
    except Exception as error:  # a server error: counted, and every form still runs
        tally.failures.append(f"{form.name} as {username}: {error!r:.300}")
    else:
        if status >= 500:
            tally.failures.append(f"{form.name} as {username}: {status}")
    tally.count(form.name, form.method, status)


def typical(form: Form) -> dict:
    """The simplest body a user would send (Hypothesis's smallest example: deterministic)."""
    quiet = settings(database=None, suppress_health_check=list(HealthCheck))
    return find(st.fixed_dictionaries(form.fields), lambda _: True, settings=quiet)


def sweep(form: Form, tally: Tally) -> None:
    username = form.callers[0]
    base = signed_in(username, form)
    body = typical(form)
    cache.clear()
    attempt(base, form, username, body, tally)
    for name in sorted(form.fields):
        for value in SWEEP:
            attempt(base, form, username, {**body, name: value}, tally)


def fuzz(form: Form, username: str | None, examples: int, tally: Tally) -> None:
    base = signed_in(username, form)

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(body=bodies(form))
    def run(body):
        attempt(base, form, username, body, tally)

    cache.clear()
    run()


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", stdout=io.StringIO())
    cache.clear()


def fuzz_every_form(examples: int, *, swept: bool) -> Tally:
    started = time.monotonic()
    forms = every_form()
    tally = Tally()
    for form in forms:
        if swept:
            sweep(form, tally)
        for username in form.callers:
            fuzz(form, username, examples, tally)
    elapsed = time.monotonic() - started
    print(
        f"\nfuzzed {len(forms)} forms: {tally.posts} posts and {tally.gets} GET queries in "
        f"{elapsed:.0f} s; statuses {dict(sorted(tally.by_status.items()))}; "
        f"{len(tally.failures)} server errors"
    )
    for name, statuses in tally.by_form.items():
        print(f"  {name}: {dict(sorted(statuses.items()))}")
    return tally


# Page routes that read no form (GET only, or the documents the API serves).
NO_FORM = {
    "web:action_detail",
    "web:board_detail",
    "web:evaluation_detail",
    "web:project_detail",
    "web:help",
    "web:help_diagram",
    "web:accessibility",
    "web:webhook_detail",  # an administrator's page; its one form is a button, no field:
    "web:webhook_switch_on",  # switching the webhook on again reads nothing
    "web:resume_form",  # its own form has no field (drop what was kept); the other posts the
    # kept fields to the page they came from, fuzzed there
    "web:password_reset_done",
    "web:password_reset_complete",
    "web:password_reset_confirm",  # its token, then the form: "web:password_reset_confirm"
    "home",
    "healthz",
}


def test_every_page_form_is_fuzzed(demo):
    """A new page with a form is fuzzed too (or said here to read none)."""
    fuzzed = {resolve(form.url.split("?")[0]).view_name for form in every_form()}
    routes = set()
    for namespace in ("web", "respond", "report", "notifications"):
        resolver = get_resolver().namespace_dict[namespace][1]
        routes |= {f"{namespace}:{name}" for name in resolver.reverse_dict if isinstance(name, str)}
    assert routes - fuzzed - NO_FORM == set()


def test_no_page_form_answers_a_server_error(demo):
    tally = fuzz_every_form(QUICK_EXAMPLES, swept=True)
    assert not tally.failures, "\n".join(tally.failures)
    assert tally.posts >= QUICK_MINIMUM


@pytest.mark.slow
@pytest.mark.proof
def test_no_page_form_answers_a_server_error_under_many_bodies(demo):
    tally = fuzz_every_form(PROOF_EXAMPLES, swept=False)
    assert not tally.failures, "\n".join(tally.failures)
    assert tally.posts >= PROOF_MINIMUM
