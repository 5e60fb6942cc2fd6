"""`hirewatch serve`: the web app (webhook receiver, admin API, review pages) under gunicorn."""

from __future__ import annotations

import os
import sys

import click

from integration.cli.startup import checked_settings
from store.db import engine_for

WSGI_APP = "integration.wsgi:app"


def gunicorn_argv(host: str, port: int, workers: int, threads: int, log_level: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        WSGI_APP,
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        # Threads keep several deliveries in flight per process, so their commits share fsyncs
        # (PostgreSQL group commit) instead of queueing behind one another.
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--log-level",
        log_level,
        "--access-logfile",
        "-",
        # A webhook sender that stalls must not hold a sync worker for long.
        "--timeout",
        "30",
        "--graceful-timeout",
        "10",
    ]


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=lambda: 2 * (os.cpu_count() or 1) + 1,
    show_default="2 x CPUs + 1",
    type=click.IntRange(1, 64),
    help="gunicorn worker processes.",
)
@click.option(
    "--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Threads per worker."
)
@click.option(
    "--log-level", default="info", show_default=True, type=click.Choice(["debug", "info", "warning"])
)
def serve(host: str, port: int, workers: int, threads: int, log_level: str) -> None:
    """Run the web app under gunicorn (replaces this process; Ctrl-C stops it)."""
    settings = checked_settings()
    engine_for(settings.database_url)  # create the schema once, before the workers race to
    click.echo(
        f"HireWatch on http://{host}:{port} ({workers} workers x {threads} threads); "
        f"webhooks at {settings.public_url}/webhooks/",
        err=True,
    )
    os.execv(sys.executable, gunicorn_argv(host, port, workers, threads, log_level))
