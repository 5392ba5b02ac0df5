"""WSGI entry point (gunicorn config.wsgi)."""

import importlib
import os
import threading

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()


def _preload() -> None:
    """Import pandas in the background once the worker is up: the first dashboard of a fresh worker
    otherwise pays for the import itself (6–20 s on a busy machine, bench/results/pages.md). Apps
    still import it inside functions, so commands and tests stay light; a request that needs it
    meanwhile waits on the import lock, never imports it twice."""
    try:
        importlib.import_module("pandas")
    except ImportError:  # pragma: no cover - pandas is a dependency; never fail a worker over it
        pass


threading.Thread(target=_preload, name="kehou-preload", daemon=True).start()
