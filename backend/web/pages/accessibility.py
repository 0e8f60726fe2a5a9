"""The accessibility statement (« déclaration d'accessibilité »), open to everyone and linked
from every page's footer, as the RGAA asks.

What it says of the audits is what the test suite measures: ``AUDITED_PAGES`` is the list of
pages that ``tests/e2e/test_accessibility_statement.py`` opens in Chromium on the Loire demo and
audits with axe-core, at every run, each as the person who uses it; the test fails if one of them
has a serious or critical violation, or if this list names a page the test does not audit."""

from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

AXE_VERSION = "4.12.1"  # the axe-core shipped by axe-playwright-python (requirements.lock)
STATEMENT_DATE = "2026-12-03"

# (key, the page, who opens it): the sample audited at every test run.
AUDITED_PAGES = [
    ("home", _("Accueil"), _("tout visiteur")),
    ("sign_in", _("Connexion du personnel"), _("tout visiteur")),
    ("dashboard", _("Tableau de bord"), _("personnel de la CAF")),
    ("project", _("Projet de territoire"), _("personnel de la CAF")),
    ("action", _("Fiche d'une action"), _("personnel de la CAF")),
    ("board", _("Séance du conseil"), _("secrétariat du conseil")),
    ("evaluation", _("Évaluation d'une action"), _("personnel de la CAF")),
    ("notifications", _("Notifications et préférences"), _("personnel de la CAF")),
    ("help", _("Aide"), _("personnel de la CAF")),
    ("respond", _("Réponse d'un partenaire sur son rôle"), _("partenaire, sans compte")),
    ("report", _("Compte rendu d'évaluation d'un partenaire"), _("partenaire, sans compte")),
    ("unsubscribe", _("Désabonnement"), _("destinataire d'un e-mail")),
    ("not_found", _("Page introuvable"), _("tout visiteur")),
    ("statement", _("Déclaration d'accessibilité"), _("tout visiteur")),
]

# What the automatic audit cannot see, and what is known not to conform yet.
KNOWN_GAPS = [
    _(
        "Le dossier de séance et le procès-verbal sont des PDF balisés (PDF/UA-1) dont la "
        "structure est vérifiée par nos tests, mais ils n'ont pas encore été contrôlés par un "
        "outil de validation tiers ni parcourus avec un lecteur d'écran."
    ),
    _(
        "Les graphiques de la page Pilotage sont accompagnés de leur tableau de données : le "
        "tableau fait foi."
    ),
]


def statement(request):
    return render(
        request,
        "web/accessibility.html",
        {
            "title": _("Déclaration d'accessibilité"),
            "audited_pages": AUDITED_PAGES,
            "known_gaps": KNOWN_GAPS,
            "axe_version": AXE_VERSION,
            "statement_date": STATEMENT_DATE,
        },
    )


urlpatterns = [path("accessibilite/", statement, name="accessibility")]
