"""`hirewatch lists ...` (placeholder until the list loaders land)."""

import click


@click.group()
def lists() -> None:
    """Download, import and inspect sanctions lists."""
