"""Signing in and out, and resetting a forgotten password (Django's own views, French pages).

Staff sign in with their username or their e-mail address. Partners never sign in: they use
the personal links of their e-mails."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from backend.accounts import lockout


class SignInForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Identifiant ou adresse e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    def clean(self):
        login = (self.cleaned_data.get("username") or "").strip()
        if "@" in login:
            match = (
                get_user_model()
                .objects.filter(email__iexact=login, is_active=True)
                .values_list("username", flat=True)
            )
            if len(match) == 1:  # an ambiguous address signs nobody in
                self.cleaned_data["username"] = match[0]
        # The same lock-out as the API's token endpoint: checked before the password.
        username = self.cleaned_data.get("username") or login
        address = lockout.client_address(self.request)
        if lockout.is_locked_out(username, address):
            raise ValidationError(lockout.LOCKED_OUT_MESSAGE, code="locked_out")
        try:
            cleaned = super().clean()
        except ValidationError:
            lockout.record_failure(username, address)
            raise
        lockout.record_success(username)
        return cleaned


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "web/auth/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(forms.forms.NON_FIELD_ERRORS, "locked_out"):
            response.status_code = 429
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """The e-mailed link is built on SITE_URL, never on the request's Host header."""

    template_name = "web/auth/password_reset.html"
    email_template_name = "web/auth/password_reset_email.txt"
    subject_template_name = "web/auth/password_reset_subject.txt"
    success_url = reverse_lazy("web:password_reset_done")

    @property
    def extra_email_context(self):
        return {"site_url": settings.SITE_URL}


def home(request):
    """The site's root: the dashboard for staff, a short presentation for everyone else."""
    if request.user.is_authenticated and request.user.is_staff_member:
        return redirect("web:dashboard")
    return render(request, "home.html")


urlpatterns = [
    path("connexion/", SignInView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/oubli/",
        PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="web/auth/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="web/auth/password_reset_confirm.html",
            success_url=reverse_lazy("web:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="web/auth/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
