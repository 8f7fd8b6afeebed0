"""ASGI entry point: HTTP through Django (one call per request to a pool of threads, behind
storage's upload limit), websockets to the realtime consumer; see agnost_django.asgi."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

from agnost_django.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
