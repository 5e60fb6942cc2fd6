"""The WSGI entry point for gunicorn: `gunicorn integration.wsgi:app` (what `hirewatch serve` runs)."""

from integration.app import create_app
from integration.logs import configure_logging

configure_logging()
app = create_app()
