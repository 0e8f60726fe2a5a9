"""Staff accounts: a role and the territories the person works in."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.accounts.tokens import end_api_tokens


class StaffRole(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("travailleur social")
    TERRITORY_MANAGER = "territory_manager", _("responsable de territoire")
    BOARD_SECRETARY = "board_secretary", _("secrétariat du conseil")
    DIRECTOR = "director", _("direction")
    ADMIN = "admin", _("administrateur")


ALL_TERRITORY_ROLES = {StaffRole.DIRECTOR, StaffRole.ADMIN}


class User(AbstractUser):
    role = models.CharField(_("rôle"), max_length=32, choices=StaffRole.choices, blank=True)
    territories = models.ManyToManyField(
        "territories.Territory", verbose_name=_("territoires"), blank=True, related_name="staff"
    )
    # A partner contact who has an account answers its roles through the API too.
    contact = models.OneToOneField(
        "partners.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="user",
        verbose_name=_("interlocuteur partenaire"),
    )

    class Meta:
        verbose_name = _("membre du personnel")
        verbose_name_plural = _("membres du personnel")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    # A new password ends every sign-in made with the old one: the API tokens here, once the
    # new password is saved (whatever sets it: the reset by e-mail, the admin, a command);
    # the sessions by Django itself (their hash of the password no longer matches).
    _password_set = False

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self._password_set = True

    def set_unusable_password(self):
        super().set_unusable_password()
        self._password_set = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self._password_set:
            self._password_set = False
            end_api_tokens(self)

    @property
    def is_staff_member(self) -> bool:
        return self.is_active and (bool(self.role) or self.is_superuser)

    @property
    def sees_all_territories(self) -> bool:
        return self.is_superuser or self.role in ALL_TERRITORY_ROLES

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == StaffRole.ADMIN

    def territory_ids(self) -> set[int]:
        """The territories this person acts in (cached on the instance for one request)."""
        cached = getattr(self, "_territory_ids", None)
        if cached is None:
            cached = set(self.territories.values_list("id", flat=True))
            self._territory_ids = cached
        return cached

    def works_in(self, territory_id: int | None) -> bool:
        return self.sees_all_territories or territory_id in self.territory_ids()

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or self.role in ALL_TERRITORY_ROLES or self.role in roles
