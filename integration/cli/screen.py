"""`hirewatch screen` (placeholder until the matcher lands)."""

import click


@click.command()
@click.argument("input_path")
def screen(input_path: str) -> None:
    """Screen applicants from a JSONL or CSV file."""
    raise click.ClickException("screening is not built yet")
