"""A partner's role on an action: add, edit, withdraw, and give the partner a new personal
link. Served under the action's address (its routes are joined by ``pages.actions``)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from backend.accounts import scoping
from backend.actions.link_access import revoke_link
from backend.actions.services import (
    EDITABLE_ROLE_STATES,
    asked_again_once_amended,
    create_role,
    roles_refusal,
    update_role,
    withdraw_role,
)
from backend.web.access import staff_required
from backend.web.commands import refuse_form, run_command, run_form_command
from backend.web.forms import versions
from backend.web.forms.actions import RoleForm
from backend.web.forms.commands import CommentForm
from backend.web.forms.filters import id_or_none
from backend.web.pages.actions import detail_url, redirect_303


def _action(request, pk):
    return get_object_or_404(
        scoping.actions_for(request.user).select_related("project__territory"), pk=pk
    )


def _role(request, pk, role_pk):
    return get_object_or_404(
        scoping.roles_for(request.user).select_related(
            "organisation", "contact", "action__project__territory"
        ),
        pk=role_pk,
        action_id=pk,
    )


def _render(request, form, action, role=None, status=200):
    form.describe_fields()
    # With JavaScript, choosing an organisation narrows the contact select to its people.
    form.fields["organisation"].widget.attrs.update(
        {
            "hx-get": reverse("web:role_contacts", args=[action.pk]),
            "hx-target": "#contact-field",
            "hx-swap": "outerHTML",
            "hx-trigger": "change",
        }
    )
    title = _("Modifier un rôle") if role else _("Ajouter un rôle")
    return render(
        request,
        "web/actions/role_form.html",
        {
            "title": title,
            "nav": "projects",
            "form": form,
            "action": action,
            "role": role,
            "asks_again": role is not None and asked_again_once_amended(role, action),
        },
        status=status,
    )


@staff_required
def role_create(request, pk):
    user = request.user
    action = _action(request, pk)
    refusal = roles_refusal(action, user)
    if refusal:
        messages.error(request, refusal)
        return redirect_303(detail_url(action))
    form = RoleForm(request.POST or None, user=user, action=action)
    if request.method != "POST":
        return _render(request, form, action)
    if form.is_valid():
        data = {**form.service_data(), "action": action}
        organisation = data["organisation"].name
        role, _status = run_form_command(
            request,
            form,
            create_role,
            user=user,
            data=data,
            success=_("Le rôle de %(organisation)s est ajouté.") % {"organisation": organisation},
        )
        if role is not None:
            return redirect_303(detail_url(action) + "#roles")
    return _render(request, form, action, status=400)


def _initial(role) -> dict:
    return {
        "organisation": role.organisation_id,
        "contact": role.contact_id,
        "kind": role.kind,
        "description": role.description,
        "time_commitment": role.time_commitment,
        "financial_commitment": role.financial_commitment,
        "venue": role.venue,
    }


@staff_required
def role_edit(request, pk, role_pk):
    user = request.user
    role = _role(request, pk, role_pk)
    action = role.action
    refusal = roles_refusal(action, user)
    if not refusal and role.state not in EDITABLE_ROLE_STATES:
        refusal = str(
            _("Un rôle « %(state)s » ne se modifie plus.") % {"state": role.get_state_display()}
        )
    if refusal:
        messages.error(request, refusal)
        return redirect_303(detail_url(action))
    initial = _initial(role)
    form = RoleForm(request.POST or None, user=user, action=action, role=role, initial=initial)
    versions.track(form, role, initial)  # opened on this version
    if request.method != "POST":
        return _render(request, form, action, role)
    if form.is_valid():
        result, status = run_form_command(
            request,
            form,
            update_role,
            role,
            user=user,
            data=form.service_data(),
            expected_versions=versions.expected_versions(form),
            success=(
                _("Le rôle de %(organisation)s est modifié et soumis de nouveau au partenaire.")
                if asked_again_once_amended(role, action)
                else _("Le rôle de %(organisation)s est modifié.")
            )
            % {"organisation": form.cleaned_data["organisation"].name},
        )
        if result is not None:
            return redirect_303(detail_url(action) + "#roles")
        if status == 412:  # saved by someone else meanwhile: what changed, typing kept
            role = _role(request, pk, role_pk)
            versions.tell_changes(form, role, _initial(role))
            return _render(request, form, action, role, status=status)
    return _render(request, form, action, role, status=400)


@staff_required
def role_contacts(request, pk):
    """The contact select for the organisation chosen (an htmx fragment)."""
    action = _action(request, pk)
    chosen = id_or_none(request.GET.get("organisation"))
    form = RoleForm(user=request.user, action=action, only_organisation=chosen)
    form.describe_fields()
    return render(request, "web/actions/contact_field.html", {"form": form})


@staff_required
@require_POST
def role_withdraw(request, pk, role_pk):
    role = _role(request, pk, role_pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        refuse_form(request, form)
        return redirect_303(detail_url(pk) + "#roles")
    run_command(
        request,
        withdraw_role,
        role,
        user=request.user,
        comment=form.cleaned_data["comment"],
        success=_("Le rôle de %(organisation)s est retiré.")
        % {"organisation": role.organisation.name},
    )
    return redirect_303(detail_url(pk) + "#roles")


@staff_required
@require_POST
def role_revoke_link(request, pk, role_pk):
    role = _role(request, pk, role_pk)
    run_command(
        request,
        revoke_link,
        role,
        user=request.user,
        success=_(
            "L'ancien lien personnel de %(organisation)s ne fonctionne plus ; "
            "un nouveau lien le remplace."
        )
        % {"organisation": role.organisation.name},
    )
    return redirect_303(detail_url(pk) + "#roles")


urlpatterns = [
    path("actions/<int:pk>/roles/nouveau/", role_create, name="role_create"),
    path("actions/<int:pk>/roles/interlocuteurs/", role_contacts, name="role_contacts"),
    path("actions/<int:pk>/roles/<int:role_pk>/modifier/", role_edit, name="role_edit"),
    path("actions/<int:pk>/roles/<int:role_pk>/retirer/", role_withdraw, name="role_withdraw"),
    path(
        "actions/<int:pk>/roles/<int:role_pk>/nouveau-lien/",
        role_revoke_link,
        name="role_revoke_link",
    ),
]
