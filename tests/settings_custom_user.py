"""The auth tests again, on a custom user model whose USERNAME_FIELD is the email
(``make test`` runs the tests marked ``user_models`` with these settings)."""

from tests.settings import *  # noqa: F403
from tests.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.customuser"]
AUTH_USER_MODEL = "customuser.EmailUser"
