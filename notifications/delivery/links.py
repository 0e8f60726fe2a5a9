"""Where an e-mail's links lead a member of staff: the staff pages, never the Django admin
(which social workers and managers cannot enter, nor administrators without ``is_staff``). A
link opens the action's page, the board session's page, the evaluation's page or, for an
administrator, a webhook's page; someone not signed in goes through the sign-in page,
which keeps the address and lands there afterwards.

Partners and board members have no account: their e-mails carry no staff link (only their
personal links, built where their kind is rendered).

Built from the row's ids alone (the subject's type is cached by Django): no query.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from notifications.models import Notification

# The subjects with a staff page of their own (app label, model): the link's name, the page.
SUBJECT_PAGES = {
    ("board", "boardsession"): ("session_url", "web:board_detail"),
    ("evaluations", "evaluation"): ("evaluation_url", "web:evaluation_detail"),
}


def staff_page(name: str, pk: int) -> str:
    return settings.SITE_URL + reverse(name, args=[pk])


def action_page(action) -> str:
    return staff_page("web:action_detail", action.pk)


def staff_links(notification: Notification) -> dict[str, str]:
    """The staff pages an e-mail to a member of staff may link: its action's
    (``action_url``) and its subject's, when that is a board session (``session_url``) or an
    evaluation (``evaluation_url``); empty strings for partners."""
    links = {"action_url": "", "session_url": "", "evaluation_url": ""}
    if not notification.user_id:
        return links
    if notification.action_id:
        links["action_url"] = staff_page("web:action_detail", notification.action_id)
    subject_type = ContentType.objects.get_for_id(notification.subject_type_id)
    page = SUBJECT_PAGES.get((subject_type.app_label, subject_type.model))
    if page is not None:
        key, name = page
        links[key] = staff_page(name, notification.subject_id)
    return links
