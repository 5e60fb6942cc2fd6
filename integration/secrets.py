"""Where the encryption key comes from: the environment, or in development a generated key file.

Every process that touches installation credentials (web app, CLI, worker) calls `secret_box`
at start-up, so production refuses to start without HIREWATCH_SECRET_KEY instead of failing on
the first webhook.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from integration.config import Settings
from store.secretbox import SecretBox, SecretKeyError

log = logging.getLogger(__name__)

DEV_KEY_FILE = "secret.key"


def _development_key(data_dir: Path) -> str:
    path = data_dir / DEV_KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting together must not each write a different key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(32))
            log.warning(
                "secret_key.generated path=%s: HIREWATCH_SECRET_KEY is not set; using a generated "
                "development key. Set HIREWATCH_SECRET_KEY in production.",
                path,
            )
    return path.read_text().strip()


def secret_box(settings: Settings) -> SecretBox:
    """The box for installation secrets; raises SecretKeyError in production without a key."""
    if settings.secret_key:
        return SecretBox(settings.secret_key)
    if settings.production:
        raise SecretKeyError(
            "HIREWATCH_ENV=production needs HIREWATCH_SECRET_KEY (installation credentials are "
            "encrypted with it). Generate one with: python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'"
        )
    return SecretBox(_development_key(settings.data_dir))
