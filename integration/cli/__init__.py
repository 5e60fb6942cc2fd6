"""`hirewatch`: the command line. Each area registers its commands from its own module.

A command's module is imported only when that command runs: `hirewatch --help` and a
`hirewatch screen` run do not pay for the web app's, the database's or the workers' imports.
"""

from __future__ import annotations

import importlib

import click

# name -> (module, attribute, the command's short help, which `hirewatch --help` lists without importing
# the module; tests/test_cli_startup.py checks it is the command's own).
COMMANDS = {
    "beat": ("pipeline", "beat", "Run Celery beat: the inbox sweeper and the daily list refresh."),
    "installations": (
        "installations",
        "installations",
        "Register ATS accounts (tenants) and manage their webhook secrets.",
    ),
    "lists": (
        "lists",
        "lists",
        "Download, import and inspect sanctions lists (stored in HIREWATCH_LISTS_DIR).",
    ),
    "rescreen": (
        "pipeline",
        "rescreen",
        "Re-screen every candidate of INSTALLATION_ID (needs a running `hirewatch worker`).",
    ),
    "run": (
        "pipeline",
        "run",
        "Run everything locally: web app, worker, beat and the sandbox ATS, then a demo.",
    ),
    "sandbox": (
        "pipeline",
        "sandbox",
        "Run the sandbox ATS: a local Greenhouse Harvest v3 stand-in with synthetic candidates.",
    ),
    "screen": (
        "screen",
        "screen",
        "Screen applicants from INPUT (JSONL or CSV; '-' for stdin) against the sanctions lists and "
        "the DPRK IT-worker red flags, including links between the applicants of the batch.",
    ),
    "serve": ("service", "serve", "Run the web app under gunicorn (replaces this process; Ctrl-C stops it)."),
    "tokens": (
        "admin",
        "tokens",
        "API tokens for /api/v1 (scoped, tied to one installation; or the operator's).",
    ),
    "users": ("admin", "users", "Review-page users (each tied to one installation)."),
    "worker": (
        "pipeline",
        "worker",
        "Run a Celery worker (screens webhooks on `live`, re-screens on `bulk`).",
    ),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported when one is invoked (click's documented pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[cmd_name]
        return getattr(importlib.import_module(f"integration.cli.{module}"), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(map(len, COMMANDS))
        rows = [(name, _short(text, limit)) for name, (*_, text) in sorted(COMMANDS.items())]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Screen job applicants against sanctions lists and DPRK IT-worker red flags."""


def _short(text: str, limit: int) -> str:
    """The help cut as click cuts a loaded command's (a stand-in command carrying the same text)."""
    return click.Command(None, help=text).get_short_help_str(limit)
