"""The pilot partner's personal link to report on an evaluation, without an account.

A link carries ``{SITE_URL}/report/<token>/``, a signed token (``backend.core.signed_links``,
as for the consultation links) naming one evaluation that dies when the evaluation's nonce
changes or is cleared (``revoke_report_link``).

The link works while the evaluation is planned or due and the action in progress or being
evaluated, for the pilot partner that reports (a withdrawn or removed reporting role revokes it).
Once the report is submitted the link only shows what was submitted.
"""

from enum import StrEnum

from django.db import transaction

from backend.actions.consultation import responder_label
from backend.actions.models import ActionState, RoleState
from backend.actions.role_machine import new_nonce
from backend.core.signed_links import InvalidToken, RevokedToken, SignedLink
from backend.evaluations.models import Evaluation, EvaluationState
from backend.evaluations.reports import submit_report

__all__ = [
    "ReportLinkError",
    "ReportLinkProblem",
    "evaluation_for_token",
    "report_link",
    "reporter_label",
    "revoke_report_link",
    "submit_by_link",
    "token_for",
]

SALT = "backend.evaluations.links.report"
REPORT_LINK = SignedLink(salt=SALT, path="report")
OPEN_EVALUATION_STATES = (EvaluationState.PLANNED, EvaluationState.DUE)
OPEN_ACTION_STATES = (ActionState.IN_PROGRESS, ActionState.EVALUATION)
NOT_STARTED_ACTION_STATES = (ActionState.APPROVED,)


class ReportLinkProblem(StrEnum):
    INVALID = "invalid"  # not one of our tokens, or tampered with
    REVOKED = "revoked"  # the nonce changed or was cleared, or the partner no longer reports
    CLOSED = "closed"  # the report is in (submitted or validated), or the action was stopped
    NOT_STARTED = "not_started"  # the action is approved but not started yet


class ReportLinkError(Exception):
    def __init__(self, problem: ReportLinkProblem, evaluation: Evaluation | None = None):
        super().__init__(problem.value)
        self.problem = problem
        self.evaluation = evaluation


def token_for(evaluation: Evaluation) -> str:
    return REPORT_LINK.token(evaluation)


def report_link(evaluation: Evaluation) -> str:
    """The evaluation's personal link (its nonce is drawn the first time, once only)."""
    if not evaluation.link_nonce:
        # Conditional update: two first calls at the same moment agree on one nonce.
        Evaluation.objects.filter(pk=evaluation.pk, link_nonce="").update(link_nonce=new_nonce())
        evaluation.link_nonce = Evaluation.objects.values_list("link_nonce", flat=True).get(
            pk=evaluation.pk
        )
    return REPORT_LINK.url(evaluation)


def revoke_report_link(evaluation: Evaluation) -> None:
    """The current link stops working; the next ``report_link`` draws a new one."""
    Evaluation.objects.filter(pk=evaluation.pk).update(link_nonce="")
    evaluation.link_nonce = ""


def evaluation_for_token(token: str, *, for_update: bool = False) -> Evaluation:
    """The evaluation a token names, if the link still works; raises ReportLinkError otherwise.

    CLOSED because the report is in comes before the other checks but the nonce: a partner
    coming back to a good link always sees what was submitted."""
    evaluations = Evaluation.objects.select_related(
        "action__project__territory",
        "action__commune",
        "reporting_role__organisation",
        "reporting_role__contact",
    )
    try:
        evaluation = REPORT_LINK.row(token, evaluations, for_update=for_update)
    except InvalidToken:
        raise ReportLinkError(ReportLinkProblem.INVALID) from None
    except RevokedToken as revoked:
        raise ReportLinkError(ReportLinkProblem.REVOKED, revoked.row) from None
    if evaluation.report_submitted:
        raise ReportLinkError(ReportLinkProblem.CLOSED, evaluation)
    role = evaluation.reporting_role
    if role is None or role.state == RoleState.WITHDRAWN:
        raise ReportLinkError(ReportLinkProblem.REVOKED, evaluation)
    if evaluation.action.state in NOT_STARTED_ACTION_STATES:
        raise ReportLinkError(ReportLinkProblem.NOT_STARTED, evaluation)
    if (
        evaluation.state not in OPEN_EVALUATION_STATES
        or evaluation.action.state not in OPEN_ACTION_STATES
    ):
        raise ReportLinkError(ReportLinkProblem.CLOSED, evaluation)
    return evaluation


def reporter_label(evaluation: Evaluation) -> str:
    """Who reported, for the history: « Prénom Nom (Organisation) »."""
    role = evaluation.reporting_role
    if role is None:
        return ""
    if role.contact is None:
        return role.organisation.name
    return responder_label(role, role.contact)


def submit_by_link(token: str, *, results: list[dict], **report) -> Evaluation:
    """The pilot partner's report through its link, all or nothing.

    Raises ReportLinkError when the link does not work (any more), and whatever
    ``submit_report`` raises (ValidationError for the results, TransitionConflict)."""
    with transaction.atomic():
        evaluation = evaluation_for_token(token, for_update=True)
        return submit_report(
            evaluation,
            actor=None,
            results=results,
            actor_display=reporter_label(evaluation),
            **report,
        )
