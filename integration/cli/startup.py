"""What every long-running command checks before it starts."""

from __future__ import annotations

import click

from integration.config import Settings
from integration.secrets import secret_box
from store.secretbox import SecretKeyError


def checked_settings() -> Settings:
    """The settings, after refusing to start in production without HIREWATCH_SECRET_KEY (rather
    than failing on the first webhook or task that needs a credential)."""
    settings = Settings.from_env()
    try:
        secret_box(settings)
    except SecretKeyError as exc:
        raise click.ClickException(str(exc)) from None
    return settings
