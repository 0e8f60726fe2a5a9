"""Signing in and out, and resetting a forgotten password (Django's own views, French pages).

Staff sign in with their username or their e-mail address. Partners never sign in: they use
the personal links of their e-mails."""

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from backend.accounts import password_resets, signin


class SignInForm(AuthenticationForm):
    """Django's sign-in form, by username or e-mail. The lock-out (django-axes, the same as the
    admin's and the API's) is checked by ``authenticate`` itself, before the password."""

    username = forms.CharField(
        label=_("Identifiant ou adresse e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    def clean(self):
        if self.cleaned_data.get("username"):  # an ambiguous address signs nobody in
            self.cleaned_data["username"] = signin.username_for(self.cleaned_data["username"])
        try:
            return super().clean()
        except ValidationError:
            if signin.is_locked_out(self.request):
                raise ValidationError(signin.LOCKED_OUT_MESSAGE, code="locked_out") from None
            raise


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "web/auth/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(forms.forms.NON_FIELD_ERRORS, "locked_out"):
            response.status_code = 429
        return response


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's form; the e-mails go only to the accounts ``password_resets`` allows."""

    def save(self, *args, request=None, **kwargs):
        self.client_address = signin.client_address(request)
        return super().save(*args, request=request, **kwargs)

    def get_users(self, email):
        return password_resets.recipients(super().get_users(email), self.client_address)


class PasswordResetView(auth_views.PasswordResetView):
    """The e-mailed link is built on SITE_URL, never on the request's Host header. Throttled
    per account and per address; the page answers the same way beyond the limits."""

    form_class = ThrottledPasswordResetForm
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
