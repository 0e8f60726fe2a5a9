"""The web forms the page fuzzer posts to (``test_page_fuzz.py``): every URL of the pages
with a POST handler (staff pages, the partner's answer and report pages, unsubscribing,
signing in and out, the language) and the GET forms (filters), each with its fields, the
accounts that can reach it, and values a user would type.

Built on the Loire demo data (``load_demo``), plus a held session with a point still to
decide (the demo's sessions are all decided)."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import strategies as st

from backend.accounts.models import User
from backend.actions import links as role_links
from backend.actions.models import Action, RoleAssignment
from backend.board.members import current_members
from backend.board.models import AgendaItem, BoardSession, Outcome
from backend.evaluations import links as report_links
from backend.evaluations.models import Evaluation
from backend.partners.models import Organisation
from backend.territories.models import Axis, Commune, Finding, Neighbourhood
from notifications.delivery.unsubscribe import token_for as unsubscribe_token
from notifications.models import Notification

GOP = "gier-ondaine-pilat"
SUFFIX = {
    "forez-montbrisonnais": "forez",
    GOP: "gop",
    "roannais": "roannais",
    "saint-etienne-couronne": "stetienne",
}


@dataclass
class Form:
    name: str
    url: str
    fields: dict = field(default_factory=dict)  # name -> strategy of a value a user types
    callers: tuple = ()  # usernames (None: no account); none given: every staff role
    method: str = "post"
    prepare: str = ""  # a URL the caller GETs once beforehand (the password reset's token)


def ids(*values) -> st.SearchStrategy:
    return st.sampled_from([str(v) for v in values] or ["1"])


def choices(*values) -> st.SearchStrategy:
    return st.sampled_from(list(values))


def words(limit=60) -> st.SearchStrategy:
    return st.sampled_from(
        ["Ateliers parents-enfants", "Accueil du soir", "Non.", "Trop tôt pour nous."]
    ) | st.text(min_size=1, max_size=limit)


def days(start=datetime.date(2027, 1, 1)) -> st.SearchStrategy:
    return st.dates(start, start + datetime.timedelta(days=700)).map(datetime.date.isoformat)


def numbers() -> st.SearchStrategy:
    return st.sampled_from(["0", "12", "12,5", "1 250", "3.75"])


def _first(queryset):
    return queryset.order_by("pk").first()


def held_session_with_a_point(action) -> tuple[BoardSession, AgendaItem]:
    """A held session with one point still to decide."""
    session = BoardSession.objects.create(
        date=timezone.now() - datetime.timedelta(hours=2),
        title="Séance tenue pour le fuzzing",
        location="Saint-Étienne",
        state="held",
    )
    Action.objects.filter(pk=action.pk).update(state="scheduled", board_session=session)
    return session, AgendaItem.objects.create(session=session, action=action, position=1)


def planned_session_with_points(actions) -> tuple[BoardSession, AgendaItem]:
    """A planned session, a month ahead, with two points (the demo's planned ones are empty)."""
    session = BoardSession.objects.create(
        date=timezone.now() + datetime.timedelta(days=30),
        title="Séance planifiée pour le fuzzing",
        location="Roanne",
    )
    items = []
    for position, action in enumerate(actions[:2], start=1):
        Action.objects.filter(pk=action.pk).update(state="scheduled", board_session=session)
        items.append(AgendaItem.objects.create(session=session, action=action, position=position))
    return session, items[0]


def a_report_to_give() -> Evaluation:
    """An evaluation whose pilot partner has yet to report (the demo's one is reported)."""
    evaluation = _first(Evaluation.objects.filter(reporting_role__contact__isnull=False))
    Evaluation.objects.filter(pk=evaluation.pk).update(
        state="planned", submitted_at=None, validated_at=None
    )
    Action.objects.filter(pk=evaluation.action_id).update(state="in_progress")
    evaluation.indicators.update(result=None)
    return Evaluation.objects.get(pk=evaluation.pk)


def a_notification_received() -> Notification | None:
    """A notification a staff member has received (the demo's are still planned)."""
    notification = _first(Notification.objects.filter(user__isnull=False))
    if notification is not None:
        Notification.objects.filter(pk=notification.pk).update(
            status="sent", sent_at=timezone.now()
        )
    return notification


def a_failed_delivery(territory: str) -> Notification | None:
    """A message to a partner refused for good (the demo's have not left yet)."""
    notification = _first(
        Notification.objects.filter(
            contact__isnull=False, action__project__territory__slug=territory
        )
    )
    if notification is not None:
        Notification.objects.filter(pk=notification.pk).update(
            status="failed", last_error="SMTPRecipientsRefused: {'x': (550, b'5.1.1 unknown')}"
        )
    return notification


def every_form() -> list[Form]:
    draft = _first(Action.objects.filter(state="draft", roles__isnull=False))
    project = draft.project
    territory = project.territory.slug
    suffix = SUFFIX[territory]
    editors = (f"ts.{suffix}", f"rt.{suffix}")
    staff = (*editors, "secretariat", "direction", "admin")
    board = (f"rt.{suffix}", "secretariat")
    secretaries = ("secretariat", f"rt.{suffix}")  # the secretary first: the one who may act
    ready = _first(Action.objects.filter(state="ready_for_board")) or draft
    role = _first(draft.roles.all())
    invited = _first(RoleAssignment.objects.filter(state="invited"))
    evaluation = reportable = a_report_to_give()
    others = [
        Action.objects.create(project=project, title=f"Point {n} du fuzzing", summary="Un point.")
        for n in range(3)
    ]
    held, point = held_session_with_a_point(others[0])
    planned, planned_item = planned_session_with_points(others[1:])
    to_cancel = BoardSession.objects.create(
        date=timezone.now() + datetime.timedelta(days=40), title="Séance à annuler"
    )
    notification = a_notification_received()
    failed = a_failed_delivery(territory)
    any_notification = _first(Notification.objects.all())
    secretary_account = User.objects.get(username="secretariat")
    member = current_members().first()  # a board member of the demo

    organisations = Organisation.objects.filter(territories__slug=territory).order_by("pk")[:3]
    contacts = [c.pk for o in organisations for c in o.contacts.all()[:2]]
    communes = Commune.objects.filter(territory__slug=territory).order_by("pk")[:3]
    action_fields = {
        "title": words(200),
        "summary": words(),
        "axis": ids(*Axis.objects.filter(project=project).values_list("pk", flat=True)[:3]),
        "commune": ids(*(c.pk for c in communes)),
        "neighbourhood": ids(
            *Neighbourhood.objects.filter(commune__in=communes).values_list("pk", flat=True)[:3]
        ),
        "findings": ids(
            *Finding.objects.filter(diagnostic__project=project).values_list("pk", flat=True)[:4]
        ),
        "consultation_deadline": days(timezone.localdate() + datetime.timedelta(days=2)),
        "planned_start": days(),
        "planned_end": days(datetime.date(2028, 1, 1)),
        "budget": numbers(),
    }
    role_fields = {
        "organisation": ids(*(o.pk for o in organisations)),
        "contact": ids(*contacts),
        "kind": choices("pilot", "co_pilot", "funder", "contributor", "host", "consulted"),
        "description": words(),
        "time_commitment": words(200),
        "financial_commitment": numbers(),
        "venue": words(200),
    }
    texts = {name: words() for name in ("residents_involved", "what_worked", "what_to_change")}

    def results(of):
        return {f"result-{i.pk}": numbers() for i in of.indicators.all()} if of else {}

    plan_fields = {"due_date": days() | days().map(lambda d: "/".join(reversed(d.split("-"))))}
    plan_fields["rows"] = choices("0", "1", "2", "3")
    for index in range(3):
        plan_fields |= {
            f"indicator-{index}-label": words(200),
            f"indicator-{index}-baseline": numbers(),
            f"indicator-{index}-target": numbers(),
            f"indicator-{index}-unit": words(50),
        }
    prefix = f"point-{point.pk}"
    uid = urlsafe_base64_encode(force_bytes(secretary_account.pk))
    reset_token = default_token_generator.make_token(secretary_account)

    forms = [
        Form(
            "action create",
            "/actions/nouvelle/",
            {"project": ids(project.pk), **action_fields},
            (*editors, "direction"),
        ),
        Form("action edit", f"/actions/{draft.pk}/modifier/", action_fields),
        Form("action submit", f"/actions/{draft.pk}/transitions/submit/", {"comment": words()}),
        Form("action withdraw", f"/actions/{draft.pk}/transitions/withdraw/", {"comment": words()}),
        Form(
            "action schedule",
            f"/actions/{ready.pk}/transitions/schedule/",
            {"comment": words(), "board_session": ids(*(s.pk for s in [planned] if s))},
        ),
        Form("role create", f"/actions/{draft.pk}/roles/nouveau/", role_fields),
        Form("role edit", f"/actions/{role.action_id}/roles/{role.pk}/modifier/", role_fields),
        Form(
            "role withdraw",
            f"/actions/{role.action_id}/roles/{role.pk}/retirer/",
            {"comment": words()},
        ),
        Form("role new link", f"/actions/{role.action_id}/roles/{role.pk}/nouveau-lien/"),
        Form(
            "role contacts",
            f"/actions/{draft.pk}/roles/interlocuteurs/",
            {"organisation": ids(*(o.pk for o in organisations))},
            method="get",
        ),
        Form(
            "project on agenda",
            f"/projets/{project.pk}/ordre-du-jour/",
            {"session": ids(*(s.pk for s in [planned] if s))},
            board,
        ),
        Form("project off agenda", f"/projets/{project.pk}/retrait-ordre-du-jour/", {}, board),
        Form(
            "project list",
            "/projets/",
            {"annee": choices("2026", "2027"), "territoire": choices(GOP, "roannais")},
            method="get",
        ),
        Form("evaluation plan", f"/evaluations/{evaluation.pk}/plan/", plan_fields),
        Form(
            "evaluation report",
            f"/evaluations/{evaluation.pk}/rapport/",
            {**results(evaluation), "participants": numbers(), "summary": words(), **texts},
        ),
        Form("evaluation validate", f"/evaluations/{evaluation.pk}/transitions/valider/"),
        Form(
            "session create",
            "/conseil/",
            {
                "date": days().map(lambda d: f"{d}T14:00"),
                "title": words(200),
                "location": words(200),
            },
            (*secretaries, f"ts.{suffix}", "direction", "admin"),
        ),
        Form(
            "session publish", f"/conseil/{planned.pk}/transitions/publish_agenda/", {}, secretaries
        ),
        Form(
            "session edit",
            f"/conseil/{planned.pk}/modifier/",
            {
                "edit-date": days().map(lambda d: f"{d}T14:00"),
                "edit-title": words(200),
                "edit-location": words(200),
            },
            secretaries,
        ),
        Form(
            "session cancel",
            f"/conseil/{to_cancel.pk}/annuler/",
            {"comment": words()},
            secretaries,
        ),
        Form(
            "agenda add",
            f"/conseil/{planned.pk}/ordre-du-jour/",
            {"action": ids(ready.pk), "project": ids(project.pk)},
            board,
        ),
        Form(
            "decisions",
            f"/conseil/{held.pk}/decisions/",
            {
                f"{prefix}-outcome": choices(*Outcome.values),
                f"{prefix}-reference": choices("2027-001", "2027-002"),
                f"{prefix}-conditions": words(),
            },
            secretaries,
        ),
        Form(
            "board member add",
            "/conseil/membres/",
            {
                "first_name": words(100),
                "last_name": words(100),
                "email": choices("nouveau@conseil.example", "pas-une-adresse", ""),
                "position": words(200),
                "phone": words(32),
            },
            (*secretaries, f"ts.{suffix}"),
        ),
        Form(
            "board member leaves",
            f"/conseil/membres/{member.pk}/depart/",
            {},
            (*secretaries, f"ts.{suffix}"),
        ),
        Form(
            "session members",
            f"/conseil/{planned.pk}/administrateurs/",
            {"members": ids(member.pk)},
            secretaries,
        ),
        Form(
            "session hold",
            f"/conseil/{held.pk}/tenir/",
            {
                f"attendance-{member.pk}": choices("present", "remote", "absent", "pending"),
                f"proxy-{member.pk}": ids(member.pk),
            },
            secretaries,
        ),
        Form(
            "notifications read",
            "/mes-notifications/tout-lu/",
            {"next": choices("/mes-notifications/", "/mes-notifications/?non-lues=1")},
        ),
        Form(
            "preferences",
            "/mes-notifications/preferences/",
            {
                kind: choices("immediate", "digest", "none")
                for kind in Notification.objects.values_list("kind", flat=True).distinct()
            },
        ),
        Form(
            "notification centre",
            "/mes-notifications/",
            {"non-lues": choices("1", "0")},
            method="get",
        ),
        Form(
            "dashboard",
            "/tableau-de-bord/",
            {
                "territory": choices(territory),
                "project": ids(project.pk),
                "axis": action_fields["axis"],
                "commune": action_fields["commune"],
                "state": choices("draft", "consultation", "closed"),
                "mine": choices("1"),
                "overdue": choices("1"),
                "view": choices("list", "board"),
                "page": choices("1", "2"),
            },
            method="get",
        ),
        *(
            Form(
                name,
                url,
                {
                    "territory": choices(territory),
                    "year": choices("2026", "2027"),
                    "axis": action_fields["axis"],
                },
                method="get",
            )
            for name, url in (
                ("pilotage", "/pilotage/"),
                ("pilotage partners", "/pilotage/partenaires/"),
                ("pilotage categories", "/pilotage/categories/"),
                ("pilotage board", "/pilotage/conseil/"),
                ("pilotage csv", "/pilotage/partenaires.csv"),
            )
        ),
        Form(
            "sign in",
            "/connexion/",
            {"username": choices("ts.gop", "ts.gop@caf42.example"), "password": words()},
            (None,),
        ),
        Form(
            "password reset",
            "/mot-de-passe/oubli/",
            {"email": choices(secretary_account.email)},
            (None,),
        ),
        Form(
            "new password",
            f"/mot-de-passe/nouveau/{uid}/set-password/",
            {"new_password1": words(), "new_password2": words()},
            (None,),
            prepare=f"/mot-de-passe/nouveau/{uid}/{reset_token}/",
        ),
        Form(
            "language",
            "/i18n/setlang/",
            {"language": choices("fr", "en"), "next": choices("/tableau-de-bord/")},
            (None,),
        ),
        Form("sign out", "/deconnexion/", {}, ("ts.gop",)),
    ]
    if planned_item is not None:
        forms += [
            Form(
                "agenda move",
                f"/conseil/{planned.pk}/ordre-du-jour/{planned_item.pk}/deplacer/",
                {"direction": choices("up", "down")},
                secretaries,
            ),
            Form(
                "agenda remove",
                f"/conseil/{planned.pk}/ordre-du-jour/{planned_item.pk}/retirer/",
                {},
                secretaries,
            ),
        ]
    if notification is not None:
        forms.append(
            Form(
                "notification read",
                f"/mes-notifications/{notification.pk}/lue/",
                {"next": choices("/mes-notifications/")},
                (notification.user.username,),
            )
        )
    if failed is not None:
        forms.append(
            Form(
                "correct and resend",
                f"/actions/{failed.action_id}/envois-en-echec/{failed.contact_id}/",
                {"email": choices("elu@mairie.example", "pas une adresse") | words(254)},
                (*editors, "direction"),
            )
        )
    if invited is not None:
        forms.append(
            Form(
                "partner answer",
                f"/respond/{role_links.token_for(invited)}/",
                {"decision": choices("accept", "decline", "request_changes"), "comment": words()},
                (None,),
            )
        )
    if reportable is not None:
        forms.append(
            Form(
                "partner report",
                f"/report/{report_links.report_link(reportable).split('/')[-2]}/",
                {**results(reportable), "participants": numbers(), **texts},
                (None,),
            )
        )
    if any_notification is not None:
        token = unsubscribe_token(any_notification.recipient_key, any_notification.kind)
        forms.append(Form("unsubscribe", f"/unsubscribe/{token}/", {}, (None,)))
    for form in forms:
        form.callers = form.callers or staff
    return forms
