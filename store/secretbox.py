"""Encryption at rest for installation credentials (Fernet: AES-128-CBC + HMAC-SHA256).

The operator's key is any string (HIREWATCH_SECRET_KEY); a Fernet key is derived from it with
HKDF so a short passphrase and a generated key both work. Several comma-separated keys allow
rotation: the first encrypts, every one may decrypt.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_HKDF_INFO = b"hirewatch/installation-secrets/v1"


class SecretKeyError(RuntimeError):
    """The key is missing, or a stored secret cannot be decrypted with the configured keys."""


def _fernet_for(passphrase: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
        passphrase.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


class SecretBox:
    def __init__(self, key_spec: str):
        keys = [part.strip() for part in key_spec.split(",") if part.strip()]
        if not keys:
            raise SecretKeyError("empty secret key")
        self._fernet = MultiFernet([_fernet_for(key) for key in keys])

    def encrypt(self, plaintext: str | None) -> bytes | None:
        return None if plaintext is None else self._fernet.encrypt(plaintext.encode())

    def decrypt(self, token: bytes | None) -> str | None:
        if token is None:
            return None
        try:
            return self._fernet.decrypt(bytes(token)).decode()
        except InvalidToken:
            raise SecretKeyError(
                "a stored secret does not decrypt with HIREWATCH_SECRET_KEY: was the key changed? "
                "Put the old key after the new one, comma-separated, then rotate"
            ) from None

    def __repr__(self) -> str:  # never show key material
        return "SecretBox(<hidden>)"
