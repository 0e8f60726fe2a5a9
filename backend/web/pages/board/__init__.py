"""The board pages: the sessions of the conseil d'administration, and one session's page
(agenda building, publication, holding, closing, documents, decisions).

Every change goes through the services the API uses (``backend/api/board_views.py``):
``backend.board.transitions`` for the session, the action's ``schedule`` transition and
``backend.board.agenda`` for the agenda, ``backend.board.decisions.record_decisions`` for the
decisions. A territory-bound user sees only their territories' agenda points, as in the API.

The views live by concern: ``sessions`` (the list, one session's page, its transitions),
``agenda`` (building the agenda), ``decisions`` (recording them); the queries in
``backend.web.selectors.board``, the forms in ``backend.web.forms``.
"""

from django.urls import path

from backend.web.pages.board.agenda import agenda_add, agenda_move, agenda_remove
from backend.web.pages.board.convening import (
    board_member_leaves,
    board_members,
    hold_with_attendance,
    session_members,
)
from backend.web.pages.board.decisions import record
from backend.web.pages.board.sessions import (
    board_cancel,
    board_detail,
    board_edit,
    board_list,
    board_transition,
)

urlpatterns = [
    path("conseil/", board_list, name="board_list"),
    path("conseil/membres/", board_members, name="board_members"),
    path(
        "conseil/membres/<int:contact_id>/depart/",
        board_member_leaves,
        name="board_member_leaves",
    ),
    path("conseil/<int:pk>/", board_detail, name="board_detail"),
    path("conseil/<int:pk>/administrateurs/", session_members, name="board_session_members"),
    path("conseil/<int:pk>/tenir/", hold_with_attendance, name="board_hold"),
    path(
        "conseil/<int:pk>/transitions/<str:name>/",
        board_transition,
        name="board_transition",
    ),
    path("conseil/<int:pk>/annuler/", board_cancel, name="board_cancel"),
    path("conseil/<int:pk>/modifier/", board_edit, name="board_edit"),
    path("conseil/<int:pk>/ordre-du-jour/", agenda_add, name="board_agenda_add"),
    path(
        "conseil/<int:pk>/ordre-du-jour/<int:item_id>/deplacer/",
        agenda_move,
        name="board_agenda_move",
    ),
    path(
        "conseil/<int:pk>/ordre-du-jour/<int:item_id>/retirer/",
        agenda_remove,
        name="board_agenda_remove",
    ),
    path("conseil/<int:pk>/decisions/", record, name="board_decisions"),
]
