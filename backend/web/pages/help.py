"""The help page: each workflow's life in a few French sentences, its state diagram drawn from
the state machine's own definition (``workflows.diagram``), and the table of its transitions
(who may fire each, on what condition) as the diagram's text alternative."""

from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from backend.actions.models import Action, RoleAssignment
from backend.board.models import BoardSession
from backend.evaluations.models import Evaluation
from backend.territories.models import TerritoryProject
from backend.web.access import staff_required
from workflows.diagram import describe, machine_of, svg_of


@dataclass(frozen=True)
class Workflow:
    slug: str
    model: type
    title: str
    story: tuple[str, ...]  # the French explanation, one paragraph each


WORKFLOWS = (
    Workflow(
        "action",
        Action,
        _("Une action"),
        (
            _(
                "Une action naît en brouillon : le travailleur social la décrit, la rattache "
                "à un axe du projet de territoire et nomme les partenaires qui y prennent un "
                "rôle (au moins un pilote), chacun avec son interlocuteur."
            ),
            _(
                "En ouvrant la consultation, chaque partenaire reçoit un e-mail avec un lien "
                "personnel pour accepter son rôle, le refuser ou demander une modification, "
                "avant la date limite ; des relances partent automatiquement. Dès que tous les "
                "rôles sont acceptés, l'action est prête pour le conseil."
            ),
            _(
                "Le responsable de territoire ou le secrétariat l'inscrit à une séance du "
                "conseil d'administration, qui l'approuve, la rejette ou l'ajourne. Approuvée, "
                "l'action est menée puis évaluée ; elle est clôturée quand le rapport "
                "d'évaluation est validé. Tant qu'elle n'est pas décidée ou terminée, elle peut "
                "être retirée, avec un commentaire."
            ),
        ),
    ),
    Workflow(
        "role",
        RoleAssignment,
        _("Le rôle d'un partenaire sur une action"),
        (
            _(
                "Un rôle est d'abord proposé. Quand la consultation s'ouvre, l'interlocuteur "
                "du partenaire est invité : lui seul peut alors accepter, refuser ou demander "
                "des modifications, par son lien personnel, sans compte ni mot de passe."
            ),
            _(
                "Après une demande de modifications, le personnel ajuste le rôle et invite à "
                "nouveau le partenaire. Si l'action revient au brouillon, l'invitation est "
                "annulée ; un rôle ouvert peut aussi être retiré de l'action."
            ),
        ),
    ),
    Workflow(
        "seance",
        BoardSession,
        _("Une séance du conseil d'administration"),
        (
            _(
                "Le secrétariat du conseil planifie la séance et compose son ordre du jour "
                "avec les actions prêtes. Il publie l'ordre du jour avant la date : les "
                "membres et les partenaires concernés sont prévenus."
            ),
            _(
                "Le jour venu, la séance est tenue et le secrétariat enregistre une décision "
                "pour chaque action. La séance est close quand plus aucune action de l'ordre "
                "du jour n'attend sa décision."
            ),
        ),
    ),
    Workflow(
        "projet",
        TerritoryProject,
        _("Le projet de territoire de l'année"),
        (
            _(
                "Chaque territoire prépare un projet par an : le diagnostic partagé (ses "
                "ressources et ses manques), les axes d'intervention et les actions qui y "
                "répondent. Une fois prêt, il est soumis au conseil d'administration."
            ),
            _(
                "Le conseil l'approuve ; sinon, ou s'il est retiré de l'ordre du jour, il "
                "revient en préparation pour être repris."
            ),
        ),
    ),
    Workflow(
        "evaluation",
        Evaluation,
        _("L'évaluation d'une action"),
        (
            _(
                "Chaque action approuvée a une évaluation prévue : des indicateurs, leur "
                "valeur de départ, une cible et une échéance. À l'échéance, le rapport est "
                "attendu et des rappels partent."
            ),
            _(
                "Le travailleur social, ou le partenaire pilote par son lien personnel, remet "
                "les résultats ; le responsable de territoire valide le rapport, ce qui permet "
                "de clôturer l'action."
            ),
        ),
    ),
)
BY_SLUG = {workflow.slug: workflow for workflow in WORKFLOWS}


def _section(workflow: Workflow) -> dict:
    machine = machine_of(workflow.model)
    layers = machine.layers
    title = str(_("Diagramme d'états : %(title)s") % {"title": workflow.title})
    return {
        "workflow": workflow,
        "machine": machine,
        "svg": svg_of(machine, title, prefix=f"diagram-{workflow.slug}"),
        "description": describe(machine),
        "steps": [
            {
                "step": step,
                "source": machine.label_of(step.source),
                "target": machine.label_of(step.target),
            }
            for step in sorted(
                machine.steps,
                key=lambda step: (layers[step.source], layers[step.target], step.name),
            )
        ],
    }


@staff_required
def help(request):
    return render(
        request,
        "web/help/help.html",
        {
            "title": _("Aide : la vie des dossiers"),
            "nav": "help",
            "sections": [_section(workflow) for workflow in WORKFLOWS],
        },
    )


@staff_required
def diagram(request, slug: str):
    """One diagram alone, as an SVG image (to open full size on a small screen)."""
    workflow = BY_SLUG.get(slug)
    if workflow is None:
        raise Http404
    title = str(_("Diagramme d'états : %(title)s") % {"title": workflow.title})
    svg = svg_of(machine_of(workflow.model), title, prefix=f"diagram-{slug}")
    response = HttpResponse(
        '<?xml version="1.0" encoding="utf-8"?>\n' + svg, content_type="image/svg+xml"
    )
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'self'"
    return response


urlpatterns = [
    path("aide/", help, name="help"),
    path("aide/schemas/<slug:slug>.svg", diagram, name="help_diagram"),
]
