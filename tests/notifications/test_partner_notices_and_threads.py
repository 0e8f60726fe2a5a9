"""Partners are told what changed (an amended role, a withdrawn role, a consultation back to
draft, an abandoned action), and each person's e-mails about one action form one thread: read
from real e-mails received by aiosmtpd and parsed as a mail client does."""

import pytest

from backend.actions.services import update_role, withdraw_role
from backend.actions.transitions import revise_action, withdraw_action
from notifications.delivery.sweep import sweep
from tests import factories
from tests.notifications import answer, at, headline_of
from tests.notifications.mail_reading import assert_one_thread, assert_says

pytestmark = pytest.mark.django_db


def test_an_amended_role_says_what_changed_and_a_revision_suspends_the_consultation(
    smtp, submitted, pilot, social_worker
):
    sweep()  # the invitation
    sweep(now=at(11))  # the reminder 5 business days before the deadline
    answer(pilot, "request_changes", "Nous pouvons co-piloter, pas piloter seuls.")
    old_description = pilot.description
    update_role(
        pilot,
        user=social_worker,
        data={"kind": "co_pilot", "description": "Co-animer les ateliers du mercredi."},
    )
    sweep(now=at(11, hour=10))  # the new invitation, and its own reminder already due
    to_partner = smtp.to(pilot.contact.email)
    [reinvitation] = [m for m in to_partner if "modifié" in m.get_body(("plain",)).get_content()]
    assert headline_of(reinvitation) == (
        f"Votre rôle modifié sur l'action « {submitted.title} » : merci de répondre de nouveau"
    )
    assert_says(
        reinvitation,
        "Votre rôle a été modifié à la suite de votre demande",
        "Rôle : pilote → co-pilote",
        f"Engagement : {old_description} → Co-animer les ateliers du mercredi.",
    )

    revise_action(submitted, actor=social_worker, comment="Le budget est à reprendre.")
    sweep(now=at(11, hour=11))
    to_partner = smtp.to(pilot.contact.email)
    suspended = to_partner[-1]
    assert headline_of(suspended) == (
        f"L'action « {submitted.title} » est revue : la consultation est suspendue"
    )
    assert_says(
        suspended,
        "la consultation des partenaires est suspendue",
        "Le budget est à reprendre.",
        "le lien reçu pour répondre ne fonctionne plus",
        "vous recevrez une nouvelle invitation",
    )
    # invitation, reminder, invitation again and its reminder, suspension: one conversation
    assert len(to_partner) == 5
    assert_one_thread(to_partner)


def test_a_withdrawn_role_is_told_why_a_role_never_proposed_hears_nothing(
    smtp, submitted, pilot, social_worker
):
    sweep()
    withdraw_role(pilot, user=social_worker, comment="Le centre social reprend le pilotage.")
    sweep()
    invitation, withdrawn = smtp.to(pilot.contact.email)
    assert headline_of(withdrawn) == (
        f"Votre rôle de pilote sur l'action « {submitted.title} » est retiré"
    )
    assert_says(
        withdrawn,
        f"a retiré le rôle de pilote confié à {pilot.organisation.name}",
        "Le centre social reprend le pilotage.",
        "le lien personnel reçu pour y répondre ne fonctionne plus",
    )
    assert_one_thread([invitation, withdrawn])

    draft = factories.ActionFactory(project=submitted.project)
    never_asked = factories.RoleFactory(action=draft)
    withdraw_role(never_asked, user=social_worker, comment="Finalement non.")
    sweep()
    assert not smtp.to(never_asked.contact.email)


def test_the_partners_of_an_abandoned_action_are_told_why(smtp, submitted, pilot, social_worker):
    answer(pilot, "accept")
    withdraw_action(submitted, actor=social_worker, comment="Le financement a été retiré.")
    sweep()
    [withdrawn] = [m for m in smtp.to(pilot.contact.email) if "abandonnée" in headline_of(m)]
    assert headline_of(withdrawn) == f"L'action « {submitted.title} » est abandonnée"
    assert_says(
        withdrawn,
        f"sur laquelle {pilot.organisation.name} tenait le rôle de pilote",
        "Le financement a été retiré.",
        "Vous n'avez plus rien à faire pour cette action",
    )


def test_the_staff_messages_of_one_batch_form_one_thread(smtp, submitted, pilot, social_worker):
    answer(pilot, "accept")  # the answer and the consultation's end, sent in one sweep
    sweep()
    to_staff = smtp.to(social_worker.email)
    assert [headline_of(m).split(" ")[0] for m in to_staff] == [
        pilot.organisation.name.split(" ")[0],
        "Consultation",
    ]
    assert_one_thread(to_staff)
