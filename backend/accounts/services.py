from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import ALL_TERRITORY_ROLES, StaffRole, User


@transaction.atomic
def create_staff(*, username, password, email, role, territories=(), **names) -> User:
    if role not in ALL_TERRITORY_ROLES and not territories:
        raise ValidationError({"territories": _("Indiquez au moins un territoire pour ce rôle.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("Ce nom d'utilisateur est déjà pris.")})
    is_admin = role == StaffRole.ADMIN
    user = User(
        username=username,
        email=email,
        role=role,
        is_staff=is_admin,  # administrators manage reference data in the Django admin
        is_superuser=is_admin,
        **names,
    )
    user.set_password(password)
    user.save()
    user.territories.set(territories)
    return user
