"""The sandbox ATS in a background thread: for tests and benchmarks in one process."""

from __future__ import annotations

import logging
import threading

from werkzeug.serving import make_server

from integration.sandbox.seed import synthetic_candidates
from integration.sandbox.server import create_sandbox_app
from integration.sandbox.state import SandboxState


class SandboxThread:
    """`with SandboxThread(candidates=10) as sandbox:` serves on a free loopback port."""

    def __init__(self, candidates: int = 0, seed: int = 42, rate_limit: int = 10_000):
        self.state = SandboxState(rate_limit=rate_limit)
        for fields in synthetic_candidates(candidates, seed=seed) if candidates else []:
            self.state.add_candidate(fields)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = make_server("127.0.0.1", 0, create_sandbox_app(self.state), threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="sandbox-ats")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def api_base_url(self) -> str:
        return f"{self.url}/v3"

    @property
    def token_url(self) -> str:
        return f"{self.url}/token"

    def credentials(self, on_behalf_of: str = "4080") -> dict[str, str]:
        """The installation fields that reach this sandbox with Harvest v3 credentials."""
        return {
            "api_base_url": self.api_base_url,
            "token_url": self.token_url,
            "client_id": self.state.client_id,
            "client_secret": self.state.client_secret,
            "on_behalf_of": on_behalf_of,
        }

    def __enter__(self) -> SandboxThread:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._server.shutdown()
        self._server.server_close()
