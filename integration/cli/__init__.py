"""`hirewatch`: the command line. Each area registers its commands from its own module."""

from __future__ import annotations

import click

from integration.cli import installations, lists, pipeline, screen, service


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Screen job applicants against sanctions lists and DPRK IT-worker red flags."""


main.add_command(lists.lists)
main.add_command(screen.screen)
for command in (pipeline.sandbox, pipeline.worker, pipeline.beat, pipeline.rescreen, pipeline.run):
    main.add_command(command)
main.add_command(installations.installations)
main.add_command(service.serve)
