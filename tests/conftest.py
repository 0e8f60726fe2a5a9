import pytest
from rest_framework.test import APIClient

from backend.accounts.models import StaffRole
from tests import factories
from tests.notifications import Inbox, serving_smtp
from tests.webhooks.receiver import running


@pytest.fixture
def territory(db):
    return factories.TerritoryFactory(slug="gier-ondaine-pilat", name="Gier-Ondaine-Pilat")


@pytest.fixture
def other_territory(db):
    return factories.TerritoryFactory(slug="roannais", name="Roannais")


@pytest.fixture
def project(territory):
    return factories.ProjectFactory(territory=territory)


@pytest.fixture
def make_staff(db, territory):
    def make(role=StaffRole.SOCIAL_WORKER, territories=None, **kwargs):
        return factories.StaffFactory(
            role=role, territories=[territory] if territories is None else territories, **kwargs
        )

    return make


@pytest.fixture
def social_worker(make_staff):
    return make_staff(StaffRole.SOCIAL_WORKER)


@pytest.fixture
def manager(make_staff):
    return make_staff(StaffRole.TERRITORY_MANAGER)


@pytest.fixture
def secretary(make_staff):
    return make_staff(StaffRole.BOARD_SECRETARY)


@pytest.fixture
def director(make_staff):
    return make_staff(StaffRole.DIRECTOR, territories=[])


@pytest.fixture
def admin_user(make_staff):
    return make_staff(StaffRole.ADMIN, territories=[])


@pytest.fixture
def api():
    """An API client; ``api.as_user(user)`` authenticates with a real token, valid now (as a
    client signing in again gets one: the same, or a new one once it has expired)."""
    from backend.accounts.tokens import issue_token

    client = APIClient()

    def as_user(user):
        token = issue_token(user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    client.as_user = as_user
    return client


@pytest.fixture
def organisation(territory):
    return factories.OrganisationFactory(territories=[territory])


@pytest.fixture
def action(project):
    return factories.ActionFactory(project=project)


@pytest.fixture
def pilot(action, organisation):
    contact = factories.ContactFactory(organisation=organisation)
    return factories.RoleFactory(action=action, organisation=organisation, contact=contact)


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) on a free port, Django's SMTP backend pointed at it;
    ``smtp.messages`` are the e-mails it received."""
    with serving_smtp(settings, Inbox()) as inbox:
        yield inbox


@pytest.fixture
def receiver(settings):
    """A real HTTP server receiving the webhooks (200 unless told to fail), on 127.0.0.1: the
    private addresses are allowed while it runs (WEBHOOK_ALLOW_PRIVATE_ADDRESSES)."""
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    with running() as server:
        yield server


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing a password the production way costs ~0.3 s; tests create many accounts (the
    sign-in itself is still exercised end to end, only with a cheap hasher)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language (French). Django's LocaleMiddleware leaves the
    language of the last request active on the thread, so a request made in English by one
    test would otherwise change what the next test renders outside a request."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def fresh_throttle():
    """An empty cache before and after the test: the bad-link counters and the throttles live
    there (used by the modules that open personal links again and again)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
