"""OAuth access tokens shared by every worker process through Redis, encrypted at rest.

One token per installation serves all workers until shortly before it expires (the connector
renews it at its `renew_at`, or once on a 401); Redis drops the entry when it expires.
The token is a credential, so it is stored with the installation secrets' key (SecretBox).
"""

from __future__ import annotations

import json
import math
import time
from contextlib import AbstractContextManager

import redis

from connectors.base import AccessToken
from store.secretbox import SecretBox, SecretKeyError

PREFIX = "hirewatch:token:"
RENEW_LOCK_SECONDS = 30  # the longest one renewal may hold the lock (a token request times out first)


class RedisTokenCache:
    def __init__(self, client: redis.Redis, box: SecretBox):
        self.client, self.box = client, box

    def get(self, key: str) -> AccessToken | None:
        stored = self.client.get(PREFIX + key)
        if stored is None:
            return None
        try:
            data = json.loads(self.box.decrypt(stored) or "{}")
        except (SecretKeyError, ValueError):
            return None  # a key rotation or a damaged entry: issue a new token
        token = AccessToken(
            value=data.get("value", ""),
            expires_at=float(data.get("expires_at", 0)),
            renew_at=float(data.get("renew_at", 0)),
        )
        return token if token.value and token.expires_at > time.time() else None

    def put(self, key: str, token: AccessToken) -> None:
        ttl = math.floor(token.expires_at - time.time())
        if ttl <= 0:
            return
        data = json.dumps({"value": token.value, "expires_at": token.expires_at, "renew_at": token.renew_at})
        self.client.set(PREFIX + key, self.box.encrypt(data), ex=ttl)

    def drop(self, key: str) -> None:
        self.client.delete(PREFIX + key)

    def renewing(self, key: str) -> AbstractContextManager[object]:
        """One worker renews the installation's token; the others wait, then read it."""
        return self.client.lock(f"{PREFIX}{key}:renewing", timeout=RENEW_LOCK_SECONDS, blocking_timeout=40)
