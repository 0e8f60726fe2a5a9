"""The partner's response page, ``/respond/<token>/``: read one's role, then answer it.

The view only maps: which link works is decided by ``backend.actions.links``, what an answer
does by ``backend.actions.consultation``; each domain error becomes one page and one status.
How the pages are served (headers, language, the 429 page) is ``backend.respond.pages``.
"""

from collections import defaultdict

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from backend.actions.consultation import ANSWERED, answer_by_link
from backend.actions.link_throttle import (
    client_address,
    is_blocked,
    record_bad_link,
)
from backend.actions.links import LinkError, LinkProblem, role_for_token
from backend.actions.models import RoleAssignment, RoleState
from backend.core.token_pages import token_page
from backend.respond.forms import DECISION_MISSING, AnswerForm
from backend.respond.pages import blocked_page, contact_language, partner_page
from backend.territories.models import FindingKind
from workflows.errors import InvalidTransitionInput, TransitionConflict, TransitionForbidden

CHOICES = (
    ("accept", _("Accepter le rôle"), _("Vous vous engagez à tenir ce rôle tel qu'il est décrit.")),
    (
        "decline",
        _("Refuser le rôle"),
        _("Votre organisation ne tiendra pas ce rôle. Dites-nous pourquoi."),
    ),
    (
        "request_changes",
        _("Demander des modifications"),
        _("Le rôle vous convient en partie : dites ce qu'il faudrait changer."),
    ),
)

# What the other partners' answers look like to a partner (never their comments).
STATE_LABELS = {
    RoleState.PROPOSED: _("pas encore sollicité"),
    RoleState.INVITED: _("en attente"),
}

# (status, title, explanation) of the pages for links that do not work.
LINK_PAGES = {
    LinkProblem.INVALID: (
        404,
        _("Lien invalide"),
        _(
            "Ce lien n'est pas valide. Vérifiez qu'il a été recopié en entier depuis l'e-mail "
            "reçu, ou demandez un nouveau lien à votre interlocuteur de la CAF."
        ),
    ),
    LinkProblem.REVOKED: (
        410,
        _("Ce lien a été remplacé ou révoqué"),
        _(
            "Ce lien ne fonctionne plus : un lien plus récent vous a peut-être été envoyé, "
            "utilisez le dernier e-mail reçu. Sinon, votre rôle a été modifié ou retiré : votre "
            "interlocuteur de la CAF vous recontactera."
        ),
    ),
    LinkProblem.EXPIRED: (
        410,
        _("La consultation est terminée"),
        _(
            "La consultation des partenaires sur cette action est close : il n'est plus "
            "possible d'y répondre par ce lien. Pour toute question, contactez la CAF."
        ),
    ),
}
FORBIDDEN_TITLE = _("Réponse impossible")


@token_page
@require_http_methods(["GET", "HEAD", "POST"])
def respond(request, token: str):
    address = client_address(request)
    if is_blocked(address):
        return blocked_page(request, "respond/problem.html")
    try:
        role = role_for_token(token)
    except LinkError as error:
        return _link_problem(request, error, address)
    if request.method != "POST":
        return _page(request, "respond/respond.html", _role_context(role), role=role)

    form = AnswerForm(request.POST)
    decision, comment = form.typed()
    with translation.override(contact_language(role.contact)):  # the page's language
        errors = {name: messages[0] for name, messages in form.errors.items()}
    if errors:
        context = _role_context(role, decision=decision, comment=comment, errors=errors)
        return _page(request, "respond/respond.html", context, role=role, status=400)
    try:
        role = answer_by_link(token, **form.cleaned_data)
    except LinkError as error:  # the link stopped working since role_for_token above
        return _link_problem(request, error, address)
    except InvalidTransitionInput as error:
        field = "comment" if error.field == "comment" else "decision"
        errors = {field: _field_error(error)}
        context = _role_context(role, decision=decision, comment=comment, errors=errors)
        return _page(request, "respond/respond.html", context, role=role, status=400)
    except TransitionConflict as error:
        role.refresh_from_db()
        return _answered(request, role, reason=error.reason, status=409)
    except TransitionForbidden as error:
        context = {"title": FORBIDDEN_TITLE, "message": error.reason}
        return _page(request, "respond/problem.html", context, role=role, status=403)
    return _page(request, "respond/done.html", {"role": role, "action": role.action}, role=role)


def _link_problem(request, error: LinkError, address: str):
    role = error.role
    if error.problem is LinkProblem.ANSWERED:
        return _answered_link(request, role)
    if error.problem in (LinkProblem.INVALID, LinkProblem.REVOKED):
        record_bad_link(address)
    status, title, message = LINK_PAGES[error.problem]
    context = {"title": title, "message": message}
    if error.problem is LinkProblem.EXPIRED and role is not None:
        context["action"] = role.action
    return _page(request, "respond/problem.html", context, role=role, status=status)


def _answered_link(request, role: RoleAssignment):
    """The answer is shown on GET (200); sending the form again is a conflict (409)."""
    return _answered(request, role, status=409 if request.method == "POST" else 200)


def _answered(request, role: RoleAssignment, *, reason="", status: int):
    context = {
        "role": role,
        "action": role.action,
        "answered": role.state in ANSWERED,
        "withdrawn": role.state == RoleState.WITHDRAWN,
        "reason": reason,
    }
    return _page(request, "respond/answered.html", context, role=role, status=status)


def _field_error(error: InvalidTransitionInput):
    if error.field == "comment":
        return error.reason
    return DECISION_MISSING


def _role_context(role: RoleAssignment, *, decision="", comment="", errors=None) -> dict:
    action = role.action
    others = list(action.open_roles().exclude(pk=role.pk).select_related("organisation"))
    holders = defaultdict(list)
    for held in [role, *others]:
        holders[held.kind].append(held)
    findings = list(action.findings.all())
    deadline = action.consultation_deadline
    return {
        "role": role,
        "action": action,
        "territory": action.project.territory,
        "project": action.project,
        "commune": action.commune,
        "neighbourhood": action.neighbourhood,
        "resources": [f for f in findings if f.kind == FindingKind.RESOURCE],
        "needs": [f for f in findings if f.kind == FindingKind.NEED],
        "deadline": deadline,
        "deadline_passed": deadline is not None and deadline < timezone.localdate(),
        "shared_with": [r.organisation for r in holders[role.kind] if r.pk != role.pk],
        "others": [
            {
                "organisation": other.organisation,
                "kind": other.get_kind_display(),
                "state": STATE_LABELS.get(other.state) or other.get_state_display(),
                "shared_with": [r.organisation for r in holders[other.kind] if r.pk != other.pk],
            }
            for other in others
        ],
        "choices": CHOICES,
        "decision": decision,
        "comment": comment,
        "errors": errors or {},
    }


def _page(request, template: str, context: dict, *, role=None, status: int = 200):
    return partner_page(
        request, template, context, contact=getattr(role, "contact", None), status=status
    )
