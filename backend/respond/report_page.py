"""The pilot partner's report page, ``/report/<token>/``: read the plan, then send the results.

Built like the consultation page (``backend.respond.views``): which link works is decided by
``backend.evaluations.links``, what a report does by ``backend.evaluations.reports``; each
domain error becomes one page and one status. The token is in the URL, so every response says
noindex and no-store, and its referrer policy is ``same-origin`` (not ``no-referrer``: browsers
would then send ``Origin: null`` with the form's POST and Django's CSRF check would refuse it).

The form (``backend.web.forms.evaluations.ReportForm``) reads numbers the French way:
« 12,5 », « 1 250 » (spaces and non-breaking spaces between thousands) as well as « 12.5 »,
and texts within the API's limits. Each field is checked there first so that its error shows
next to it; ``submit_report`` then checks again, all or nothing.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from backend.actions.link_throttle import (
    client_address,
    is_blocked,
    record_bad_link,
)
from backend.core.limits import TEXT_LIMIT
from backend.core.token_pages import token_page
from backend.evaluations.links import (
    ReportLinkError,
    ReportLinkProblem,
    evaluation_for_token,
    submit_by_link,
)
from backend.evaluations.models import Evaluation
from backend.respond.pages import blocked_page, contact_language, partner_page
from backend.web.forms.evaluations import ReportForm
from workflows.errors import TransitionConflict, TransitionForbidden

TEXT_MAX_LENGTH = TEXT_LIMIT  # as the API

# (status, title, explanation) of the pages for links that do not work.
LINK_PAGES = {
    ReportLinkProblem.INVALID: (
        404,
        _("Lien invalide"),
        _(
            "Ce lien n'est pas valide. Vérifiez qu'il a été recopié en entier depuis l'e-mail "
            "reçu, ou demandez un nouveau lien à votre interlocuteur de la CAF."
        ),
    ),
    ReportLinkProblem.REVOKED: (
        410,
        _("Ce lien a été remplacé ou révoqué"),
        _(
            "Ce lien ne fonctionne plus : un lien plus récent vous a peut-être été envoyé, "
            "utilisez le dernier e-mail reçu. Sinon, votre organisation ne rend plus compte de "
            "cette action : votre interlocuteur de la CAF vous recontactera."
        ),
    ),
    ReportLinkProblem.CLOSED: (
        410,
        _("Le compte rendu n'est plus attendu"),
        _(
            "Cette action est arrêtée : il n'y a plus de compte rendu à remettre par ce lien. "
            "Pour toute question, contactez la CAF."
        ),
    ),
    ReportLinkProblem.NOT_STARTED: (
        409,
        _("Le compte rendu n'est pas encore ouvert"),
        _(
            "L'action n'a pas encore commencé. Vous pourrez remettre votre compte rendu par ce "
            "même lien une fois l'action en cours."
        ),
    ),
}
FORBIDDEN_TITLE = _("Envoi impossible")
CONFLICT_TITLE = _("Votre compte rendu n'a pas pu être enregistré")


@token_page
@require_http_methods(["GET", "HEAD", "POST"])
def report(request, token: str):
    address = client_address(request)
    if is_blocked(address):
        return blocked_page(request, "respond/problem.html")
    try:
        evaluation = evaluation_for_token(token)
    except ReportLinkError as error:
        return _link_problem(request, error, address)
    indicators = list(evaluation.indicators.all())
    if request.method != "POST":
        return _page(request, "evaluations/report.html", _context(evaluation, indicators))

    with translation.override(contact_language(_contact(evaluation))):  # the page's language
        values, report, errors = ReportForm(request.POST, indicators=indicators).read()
    if errors:
        context = _context(evaluation, indicators, values=values, errors=errors)
        return _page(request, "evaluations/report.html", context, status=400)
    results = [{"indicator": i.pk, "result": values["results"][i.pk]} for i in indicators]
    try:
        submit_by_link(token, results=results, **report)
    except ReportLinkError as error:  # the link stopped working since evaluation_for_token
        return _link_problem(request, error, address)
    except ValidationError as error:  # the plan changed since the page was shown
        errors = {"general": [m for messages in error.message_dict.values() for m in messages]}
        fresh = list(evaluation.indicators.all())
        context = _context(evaluation, fresh, values=values, errors=errors)
        return _page(request, "evaluations/report.html", context, status=400)
    except TransitionConflict as error:
        evaluation.refresh_from_db()
        if evaluation.report_submitted:
            return _submitted(request, evaluation, status=409)
        context = {"title": CONFLICT_TITLE, "message": error.reason, "action": evaluation.action}
        return _page(request, "respond/problem.html", context, status=409)
    except TransitionForbidden as error:
        context = {"title": FORBIDDEN_TITLE, "message": error.reason, "action": evaluation.action}
        return _page(request, "respond/problem.html", context, status=403)
    evaluation.refresh_from_db()
    context = _done_context(evaluation, just_submitted=True)
    return _page(request, "evaluations/report_done.html", context)


def _link_problem(request, error: ReportLinkError, address: str):
    evaluation = error.evaluation
    if error.problem is ReportLinkProblem.CLOSED and evaluation.report_submitted:
        # What was submitted, on GET (200); sending the form again is a conflict (409).
        return _submitted(request, evaluation, status=409 if request.method == "POST" else 200)
    if error.problem in (ReportLinkProblem.INVALID, ReportLinkProblem.REVOKED):
        record_bad_link(address)
    status, title, message = LINK_PAGES[error.problem]
    context = {"title": title, "message": message}
    if evaluation is not None and error.problem is not ReportLinkProblem.INVALID:
        context["action"] = evaluation.action
    return _page(request, "respond/problem.html", context, status=status)


def _submitted(request, evaluation: Evaluation, *, status: int):
    context = _done_context(evaluation, just_submitted=False)
    return _page(request, "evaluations/report_done.html", context, status=status)


# --- contexts and pages --------------------------------------------------------------------


def _context(evaluation: Evaluation, indicators, *, values=None, errors=None) -> dict:
    values = values or {}
    errors = errors or {}
    raw_results = values.get("raw_results", {})
    rows = [
        {
            "indicator": indicator,
            "field": f"result-{indicator.pk}",
            "value": raw_results.get(indicator.pk, ""),
            "error": errors.get(f"result-{indicator.pk}"),
        }
        for indicator in indicators
    ]
    return {
        **_about(evaluation),
        "indicators": rows,
        "values": values,
        "errors": errors,
        "field_errors": [
            (row["field"], row["indicator"].label, row["error"]) for row in rows if row["error"]
        ]
        + [
            (name, label, errors[name])
            for name, label in (
                ("participants", _("Nombre de participants")),
                ("residents_involved", _("Implication des habitants")),
                ("what_worked", _("Ce qui a bien fonctionné")),
                ("what_to_change", _("Ce qu'il faudrait changer")),
            )
            if name in errors
        ],
        "text_max_length": TEXT_MAX_LENGTH,
    }


def _done_context(evaluation: Evaluation, *, just_submitted: bool) -> dict:
    return {
        **_about(evaluation),
        "indicators": list(evaluation.indicators.all()),
        "just_submitted": just_submitted,
    }


def _about(evaluation: Evaluation) -> dict:
    action = evaluation.action
    role = evaluation.reporting_role
    return {
        "evaluation": evaluation,
        "action": action,
        "project": action.project,
        "territory": action.project.territory,
        "commune": action.commune,
        "organisation": role.organisation if role else None,
        "due_date": evaluation.due_date,
        "due_date_passed": evaluation.due_date < timezone.localdate(),
    }


def _contact(evaluation):
    return getattr(getattr(evaluation, "reporting_role", None), "contact", None)


def _page(request, template: str, context: dict, *, status: int = 200):
    contact = _contact(context.get("evaluation"))
    return partner_page(request, template, context, contact=contact, status=status)
