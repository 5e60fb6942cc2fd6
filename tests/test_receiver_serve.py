"""`hirewatch serve`: the real app under gunicorn on loopback answers a signed webhook."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from connectors.registry import get_connector
from tests.receiver_support import TEST_SECRET_KEY, clear_live_queue, live_queue_inbox_ids, private_redis_url

HIREWATCH = str(Path(sys.executable).with_name("hirewatch"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp_path: Path, port: int, **overrides: str) -> dict[str, str]:
    return {
        **os.environ,
        "HIREWATCH_DATA_DIR": str(tmp_path),
        "HIREWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "HIREWATCH_SECRET_KEY": TEST_SECRET_KEY,
        "HIREWATCH_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "HIREWATCH_ENV": "development",
        "REDIS_URL": private_redis_url(),
        **overrides,
    }


@pytest.mark.slow
def test_serve_runs_gunicorn_that_accepts_a_signed_webhook(tmp_path: Path) -> None:
    clear_live_queue()
    port = _free_port()
    env = _env(tmp_path, port)
    added = subprocess.run(
        [HIREWATCH, "installations", "add", "--platform", "greenhouse", "--name", "Acme", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    details = json.loads(added.stdout)
    server = subprocess.Popen(
        [HIREWATCH, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not come up"
            time.sleep(0.1)
        assert requests.get(f"{base}/manifest.json", timeout=5).json()["id"] == "hirewatch"
        raw = json.dumps(
            {
                "action": "new_candidate_application",
                "payload": {
                    "application": {
                        "id": 1,
                        "candidate": {"id": 2, "first_name": "Ada", "last_name": "Lovelace"},
                    }
                },
            }
        ).encode()
        headers = get_connector("greenhouse").sign(details["webhook_secret"], raw, event_id="serve-1")
        response = requests.post(details["webhook_url"], data=raw, headers=headers, timeout=5)
        assert response.status_code == 200 and response.json()["status"] == "accepted"
        deadline = time.monotonic() + 5  # the enqueue runs once the answer is out
        while live_queue_inbox_ids() != [response.json()["inbox_id"]] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert live_queue_inbox_ids() == [response.json()["inbox_id"]]
        # Chunked (no Content-Length): the 1 MiB limit still holds while streaming.
        chunks = (b"x" * 65536 for _ in range(32))
        oversized = requests.post(details["webhook_url"], data=chunks, headers=headers, timeout=10)
        assert (oversized.status_code, oversized.json()) == (413, {"error": "body too large"})
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=20)
    assert "webhook.accepted platform=greenhouse" in stderr


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["worker"], ["beat"]])
def test_long_running_commands_refuse_production_without_a_secret_key(tmp_path: Path, command) -> None:
    env = _env(tmp_path, 1, HIREWATCH_ENV="production", HIREWATCH_SECRET_KEY="")
    result = subprocess.run([HIREWATCH, *command], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "needs HIREWATCH_SECRET_KEY" in result.stderr
