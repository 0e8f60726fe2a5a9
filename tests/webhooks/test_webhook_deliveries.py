"""Webhooks from the transitions to a real HTTP receiver: written in the transition's
transaction, signed (Standard Webhooks, checked with ``standardwebhooks``), retried with
backoff under the same ``webhook-id``, logged per endpoint, switched off after days of
failures (its administrator told by e-mail)."""

import datetime
import io
import itertools
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from standardwebhooks.webhooks import WebhookVerificationError

from backend.actions.transitions import submit_action
from notifications.delivery.sweep import sweep as send_emails
from notifications.models import Kind, Notification
from tests import factories
from webhooks.delivery import deliver_now, sweep
from webhooks.endpoints import register_endpoint
from webhooks.models import Delivery, DeliveryStatus, Endpoint
from workflows.errors import TransitionConflict
from workflows.models import TransitionLog

pytestmark = pytest.mark.django_db

PARIS = timezone.get_fixed_timezone(60)
MONDAY = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(MONDAY, tick=False)
    return time_machine


@pytest.fixture
def consultation_ready(project, social_worker, manager, organisation):
    """A draft action with a pilot and a contributor, both with a contact."""
    action = factories.ActionFactory(project=project, social_worker=social_worker)
    for kind in ("pilot", "contributor"):
        contact = factories.ContactFactory(organisation=organisation)
        factories.RoleFactory(action=action, organisation=organisation, contact=contact, kind=kind)
    return action


def register(url, events=("*",), owner=None, **kwargs) -> Endpoint:
    return register_endpoint(url=url, events=list(events), owner=owner, **kwargs)


def test_each_transition_is_one_delivery_per_subscribed_active_endpoint(
    consultation_ready, social_worker, admin_user
):
    everything = register("https://entrepot.caf42.example/hooks", owner=admin_user)
    actions = register("https://grist.example/hooks", ["action.transition"])
    roles = register("https://partenaire.example/hooks", ["role.transition"])
    switched_off = register("https://off.example/hooks", active=False)

    submit_action(consultation_ready, actor=social_worker)

    def received(endpoint):
        rows = Delivery.objects.filter(endpoint=endpoint)
        return sorted(rows.values_list("event_type", "log__transition", "status"))

    submit = ("action.transition", "submit", "pending")
    invite = ("role.transition", "invite", "pending")
    assert received(everything) == [submit, invite, invite]
    assert received(actions) == [submit]
    assert received(roles) == [invite, invite]
    assert received(switched_off) == []
    # a refused transition writes nothing
    with pytest.raises(TransitionConflict):
        submit_action(consultation_ready, actor=social_worker)
    assert Delivery.objects.count() == 6


def _statements(action, actor) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        submit_action(action, actor=actor)
    return [query["sql"] for query in captured.captured_queries]


def test_webhooks_cost_a_transition_one_insert_whatever_the_endpoints(
    project, social_worker, manager, organisation
):
    def ready():
        action = factories.ActionFactory(project=project, social_worker=social_worker)
        contact = factories.ContactFactory(organisation=organisation)
        factories.RoleFactory(action=action, organisation=organisation, contact=contact)
        return action

    _statements(ready(), social_worker)  # warm caches
    without = _statements(ready(), social_worker)
    register("https://a.example/hooks")
    register("https://b.example/hooks")
    with_two = _statements(ready(), social_worker)

    # submit runs the engine twice (the action, then its roles): one INSERT … SELECT each
    webhook_statements = [sql for sql in with_two if "webhooks_delivery" in sql]
    assert len(webhook_statements) == 2
    assert all(sql.startswith("INSERT") for sql in webhook_statements)
    assert len(with_two) == len(without)  # no read of the endpoints, no statement per endpoint
    assert Delivery.objects.count() == 2 * 2


def _one_delivery(receiver, consultation_ready, social_worker, events=("action.transition",)):
    endpoint = register(receiver.url, events)
    submit_action(consultation_ready, actor=social_worker)
    return endpoint, Delivery.objects.filter(endpoint=endpoint).order_by("pk").first()


def test_a_receiver_failing_then_answering_gets_the_same_signed_message(
    receiver, consultation_ready, social_worker, monday, api, admin_user
):
    endpoint, delivery = _one_delivery(receiver, consultation_ready, social_worker)
    receiver.fail_next(2, status=503)

    assert deliver_now([delivery.pk]).retried == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at - timezone.now() == datetime.timedelta(seconds=30)
    assert sweep().delivered == 0  # not due yet: no retry loop

    monday.shift(datetime.timedelta(seconds=30))
    assert sweep().retried == 1
    delivery.refresh_from_db()
    assert delivery.next_attempt_at - timezone.now() == datetime.timedelta(minutes=2)

    monday.shift(datetime.timedelta(minutes=2))
    output = io.StringIO()  # the sweep without a broker, as beat runs it
    call_command("send_webhooks", stdout=output)
    assert output.getvalue().startswith("livrées : 1, à réessayer : 0")
    assert sweep(now=timezone.now() + datetime.timedelta(days=1)).delivered == 0  # once

    requests = receiver.snapshot()
    assert [r["status"] for r in requests] == [503, 503, 200]
    log = TransitionLog.objects.get(transition="submit")
    assert {r["headers"]["webhook-id"] for r in requests} == {f"msg_{log.pk}"}
    times = [int(r["headers"]["webhook-timestamp"]) for r in requests]
    assert [b - a for a, b in itertools.pairwise(times)] == [30, 120]
    for request in requests:
        body = receiver.verified(endpoint.secret, request)  # raises if the signature is wrong
    assert body == {
        "type": "action.transition",
        "timestamp": timezone.localtime(log.at).isoformat(),
        "data": {
            "id": consultation_ready.pk,
            "transition": "submit",
            "source": "draft",
            "target": "consultation",
            "actor": social_worker.get_full_name(),
            "comment": "",
            "action": consultation_ready.pk,
            "territory": "gier-ondaine-pilat",
        },
    }
    with pytest.raises(WebhookVerificationError):
        receiver.verified(register("https://other.example").secret, requests[-1])

    # the endpoint's delivery log, newest first
    answer = api.as_user(admin_user).get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/")
    assert answer.status_code == 200
    attempts = answer.json()["results"]
    assert [(a["attempt"], a["status_code"], a["succeeded"]) for a in attempts] == [
        (3, 200, True),
        (2, 503, False),
        (1, 503, False),
    ]
    assert {a["webhook_id"] for a in attempts} == {f"msg_{log.pk}"}
    assert {a["delivery_status"] for a in attempts} == {"delivered"}
    assert attempts[-1]["error"].startswith("HTTP 503")


def test_role_invitations_reach_the_receiver_with_their_action_and_territory(
    receiver, consultation_ready, social_worker
):
    endpoint, _ = _one_delivery(receiver, consultation_ready, social_worker, ["role.transition"])
    deliver_now(list(Delivery.objects.values_list("pk", flat=True)))
    bodies = [receiver.verified(endpoint.secret, r) for r in receiver.snapshot()]
    roles = set(consultation_ready.roles.values_list("pk", flat=True))
    assert {b["data"]["id"] for b in bodies} == roles
    assert {(b["type"], b["data"]["transition"], b["data"]["target"]) for b in bodies} == {
        ("role.transition", "invite", "invited")
    }
    assert {(b["data"]["action"], b["data"]["territory"]) for b in bodies} == {
        (consultation_ready.pk, "gier-ondaine-pilat")
    }


def test_registration_is_for_administrators_and_the_secret_is_shown_once(
    api, admin_user, social_worker, director
):
    body = {"url": "https://grist.example/hooks", "events": ["action.transition"]}
    for user in (social_worker, director):
        assert api.as_user(user).post("/api/v1/webhooks/", body).status_code == 403
        assert api.as_user(user).get("/api/v1/webhooks/").status_code == 403

    client = api.as_user(admin_user)
    created = client.post("/api/v1/webhooks/", body)
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["secret"].startswith("whsec_")
    assert data["events"] == ["action.transition"] and data["active"] is True
    assert data["owner"] == admin_user.pk
    assert created["Location"].endswith(f"/api/v1/webhooks/{data['id']}/")
    shown = client.get(f"/api/v1/webhooks/{data['id']}/").json()
    assert "secret" not in shown and shown["url"] == body["url"]
    assert '"secret"' not in json.dumps(client.get("/api/v1/webhooks/").json())

    wrong = client.post("/api/v1/webhooks/", {"url": "ftp://x.example/", "events": ["nope"]})
    assert wrong.status_code == 400 and {"url", "events"} <= set(wrong.json())
    assert client.post("/api/v1/webhooks/", {**body, "events": []}).status_code == 400
    changed = client.patch(f"/api/v1/webhooks/{data['id']}/", {"events": ["*"], "active": False})
    assert changed.status_code == 200
    assert (changed.json()["events"], changed.json()["active"]) == (["*"], False)


def test_a_rotated_secret_signs_beside_the_old_one_until_the_overlap_ends(
    receiver, consultation_ready, social_worker, api, admin_user, monday
):
    endpoint, delivery = _one_delivery(receiver, consultation_ready, social_worker, ["*"])
    old = endpoint.secret
    client = api.as_user(admin_user)
    rotated = client.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/", {})
    assert rotated.status_code == 200
    new = rotated.json()["secret"]
    assert new.startswith("whsec_") and new != old

    deliver_now([delivery.pk])
    during = receiver.snapshot()[-1]
    assert len(during["headers"]["webhook-signature"].split(" ")) == 2
    receiver.verified(old, during)  # a receiver not yet updated still verifies
    receiver.verified(new, during)

    monday.shift(datetime.timedelta(hours=25))  # past the 24 h overlap
    later = Delivery.objects.filter(status=DeliveryStatus.PENDING).first()
    deliver_now([later.pk])
    after = receiver.snapshot()[-1]
    receiver.verified(new, after)
    with pytest.raises(WebhookVerificationError):
        receiver.verified(old, after)

    dropped = client.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/", {"overlap_hours": 0})
    newest = dropped.json()["secret"]
    deliver_now([Delivery.objects.filter(status=DeliveryStatus.PENDING).first().pk])
    last = receiver.snapshot()[-1]
    assert len(last["headers"]["webhook-signature"].split(" ")) == 1
    receiver.verified(newest, last)


def test_an_endpoint_failing_for_days_is_switched_off_its_admin_told_nothing_lost(
    receiver, consultation_ready, social_worker, monday, api, admin_user, smtp, settings
):
    endpoint = register(receiver.url, owner=admin_user)
    submit_action(consultation_ready, actor=social_worker)
    receiver.fail_next(10_000, status=500)
    started = timezone.now()
    while Endpoint.objects.get(pk=endpoint.pk).active:
        due = Delivery.objects.filter(status=DeliveryStatus.PENDING).order_by("next_attempt_at")
        monday.move_to(max(due.first().next_attempt_at, timezone.now()), tick=False)
        sweep()
        assert timezone.now() - started < datetime.timedelta(days=7), "never switched off"
    endpoint.refresh_from_db()
    off_after = endpoint.disabled_at - started
    days = settings.WEBHOOK_DISABLE_AFTER_DAYS
    assert datetime.timedelta(days=days) <= off_after < datetime.timedelta(days=days + 1)
    assert str(days) in endpoint.disabled_reason

    # the administrator hears of it by e-mail (the notification outbox)
    notice = Notification.objects.get(kind=Kind.WEBHOOK_DISABLED)
    assert notice.user == admin_user
    send_emails()
    [mail] = smtp.to(admin_user.email)
    assert " ".join(mail["Subject"].split()) == f"Webhook désactivé : {receiver.url}"
    text = mail.get_body(("plain",)).get_content()
    assert f"échouent depuis {days} jours" in text
    assert f"/webhooks/{endpoint.pk}/" in text and "/admin/" not in text  # its staff page

    # switched off: nothing more is tried; switched on (the receiver fixed): all of it leaves
    tried = len(receiver.snapshot())
    monday.shift(datetime.timedelta(days=1))
    sweep()
    assert len(receiver.snapshot()) == tried
    receiver.fail_next(0)
    switched_on = api.as_user(admin_user).patch(
        f"/api/v1/webhooks/{endpoint.pk}/", {"active": True}
    )
    assert switched_on.status_code == 200 and switched_on.json()["failing_since"] is None
    assert sweep().delivered == 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}
    assert len(receiver.accepted_ids()) == 3


def test_the_admin_registers_an_endpoint_shows_its_secret_once_and_rotates_it(client, admin_user):
    admin_user.is_staff = admin_user.is_superuser = True  # as create_staff makes them
    admin_user.save()
    client.force_login(admin_user)
    added = client.post(
        "/admin/webhooks/endpoint/add/",
        {"url": "https://grist.example/hooks", "event_types": ["role.transition"], "active": "on"},
        follow=True,
    )
    assert added.status_code == 200
    endpoint = Endpoint.objects.get()
    assert (endpoint.events, endpoint.owner, endpoint.active) == (
        "role.transition",
        admin_user,
        True,
    )
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in added.content.decode()
    change = client.get(f"/admin/webhooks/endpoint/{endpoint.pk}/change/").content.decode()
    assert endpoint.secret not in change

    rotated = client.post(
        "/admin/webhooks/endpoint/",
        {"action": "rotate", "_selected_action": [endpoint.pk]},
        follow=True,
    )
    old = endpoint.secret
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    assert endpoint.secret in rotated.content.decode()
    log = client.get(f"/admin/webhooks/attempt/?endpoint__id__exact={endpoint.pk}")
    assert log.status_code == 200
