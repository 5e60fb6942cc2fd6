"""Webhook ingest under load: signed Greenhouse deliveries against `hirewatch serve` on loopback.

Starts the real app under gunicorn on a free 127.0.0.1 port (temporary SQLite database unless
--database-url), registers an installation with `hirewatch installations add`, then sends
signed `new_candidate_application` webhooks at a fixed rate (open loop: request i is due at
start + i/rate, so a slow server cannot slow the sender down) and prints requests/s and the time
to answer. Target: p99 < 50 ms at 200 requests/s. Nothing screens during the run: the answer
only commits the inbox row and enqueues its id.

    .venv/bin/python bench/ingest.py --rate 200 --seconds 10
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import redis
import requests
from sqlalchemy import func, select

from connectors.registry import get_connector
from store.db import make_engine
from store.tables import inbox

GREENHOUSE = get_connector("greenhouse")
HIREWATCH_CLI = str(Path(sys.executable).with_name("hirewatch"))  # the venv's console script
BENCH_REDIS_URL = "redis://127.0.0.1:6379/12"  # its own database: no real worker eats these ids


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def application(n: int) -> dict:
    return {
        "action": "new_candidate_application",
        "payload": {
            "application": {
                "id": 100_000 + n,
                "status": "active",
                "candidate": {
                    "id": 500_000 + n,
                    "first_name": "Applicant",
                    "last_name": f"Number {n}",
                    "email_addresses": [{"value": f"applicant{n}@example.com", "type": "personal"}],
                    "phone_numbers": [{"value": "+1 415 555 0100", "type": "mobile"}],
                },
                "jobs": [{"id": 7, "name": "Backend engineer"}],
            }
        },
    }


def hirewatch(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([HIREWATCH_CLI, *args], env=env, check=True, capture_output=True, text=True)


def wait_until_up(base_url: str, server: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"hirewatch serve exited with {server.returncode}; see its log")
        try:
            if requests.get(f"{base_url}/healthz", timeout=1).ok:
                return
        except requests.RequestException:
            time.sleep(0.1)
    raise SystemExit(f"hirewatch serve did not answer on {base_url} within {timeout:.0f} s")


def server_cpu_seconds(master_pid: int) -> float:
    """User + system CPU of the gunicorn master and its workers (Linux /proc; 0 elsewhere)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_path.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        pid, ppid = int(stat_path.parent.name), int(fields[1])
        if master_pid in (pid, ppid):
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def percentile(sorted_values: list[float], fraction: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


def http_request(host: str, port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """The whole request as bytes, built before the clock starts: the sender costs almost no CPU."""
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}:{port}",
        f"Content-Length: {len(body)}",
        "Connection: close",
    ]
    head += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def post_raw(host: str, port: int, request: bytes) -> int:
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(request)
        response = b""
        while chunk := sock.recv(65536):
            response += chunk
    return int(response.split(b" ", 2)[1])


def run_load(url: str, deliveries: list[tuple[bytes, dict]], rate: float, threads: int) -> dict:
    target = urlsplit(url)
    host, port = target.hostname, target.port
    requests_bytes = [http_request(host, port, target.path, body, headers) for body, headers in deliveries]
    latencies: list[float] = []
    lags: list[float] = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    start = time.perf_counter() + 0.2

    def send(index: int) -> None:
        due = start + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        sent = time.perf_counter()
        try:
            status: int | str = post_raw(host, port, requests_bytes[index])
        except OSError as exc:
            status = exc.__class__.__name__
        answered = time.perf_counter()
        with lock:
            statuses[status] += 1
            latencies.append(answered - sent)
            lags.append(answered - due)  # includes waiting for a free sender thread

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(send, range(len(requests_bytes))))
    elapsed = time.perf_counter() - start
    return {"elapsed": elapsed, "latencies": sorted(latencies), "lags": sorted(lags), "statuses": statuses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration (at most 60)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--worker-threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--senders", type=int, default=32, help="sender threads")
    parser.add_argument(
        "--warmup", type=float, default=2.0, help="seconds sent at the same rate first, not counted"
    )
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--redis-url", default=BENCH_REDIS_URL, help=f"broker (default {BENCH_REDIS_URL})")
    args = parser.parse_args()
    total = int(args.rate * min(args.seconds, 60.0))
    warmup = int(args.rate * min(args.warmup, 10.0))

    with tempfile.TemporaryDirectory(prefix="hirewatch-bench-") as tmp:
        database_url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        port = free_port()
        env = {
            **os.environ,
            "HIREWATCH_DATA_DIR": tmp,
            "HIREWATCH_DATABASE_URL": database_url,
            "REDIS_URL": args.redis_url,
            "HIREWATCH_SECRET_KEY": "bench-secret-key",
            "HIREWATCH_PUBLIC_URL": f"http://127.0.0.1:{port}",
        }
        added = json.loads(
            hirewatch(
                env, "installations", "add", "--platform", "greenhouse", "--name", "bench", "--json"
            ).stdout
        )
        deliveries = []
        for n in range(warmup + total):
            body = json.dumps(application(n)).encode()
            deliveries.append(
                (body, GREENHOUSE.sign(added["webhook_secret"], body, event_id=str(uuid.uuid4())))
            )

        log_path = Path(tmp) / "serve.log"
        with open(log_path, "w") as log:
            server = subprocess.Popen(
                [
                    HIREWATCH_CLI,
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--workers",
                    str(args.workers),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_until_up(f"http://127.0.0.1:{port}", server)
            print(
                f"sending {warmup} warm-up + {total} measured signed webhooks at {args.rate:.0f}/s "
                f"to {added['webhook_url']} "
                f"({args.workers} gunicorn workers, {args.senders} sender threads)",
                file=sys.stderr,
            )
            # Each gunicorn thread's first requests pay for imports and its broker connection.
            run_load(added["webhook_url"], deliveries[:warmup], args.rate, args.senders)
            load_before = os.getloadavg()[0]
            cpu_before = server_cpu_seconds(server.pid)
            result = run_load(added["webhook_url"], deliveries[warmup:], args.rate, args.senders)
            server_cpu = server_cpu_seconds(server.pid) - cpu_before
            load_after = os.getloadavg()[0]
        finally:
            server.terminate()
            server.wait(timeout=15)

        engine = make_engine(database_url)
        with engine.connect() as conn:
            by_status = dict(
                conn.execute(select(inbox.c.status, func.count()).group_by(inbox.c.status)).all()
            )
        engine.dispose()
        redis.Redis.from_url(args.redis_url).delete("live")  # the ids point into a database now gone

    latencies, lags = result["latencies"], result["lags"]
    ms = 1000.0

    def spread(values: list[float]) -> str:
        cuts = "  ".join(f"p{round(q * 100)} {percentile(values, q) * ms:.1f}" for q in (0.5, 0.9, 0.99))
        return f"{cuts}  max {values[-1] * ms:.1f}  mean {statistics.fmean(values) * ms:.1f}"

    rate = len(latencies) / result["elapsed"]
    print(f"requests:        {len(latencies)} in {result['elapsed']:.2f} s = {rate:.1f} req/s")
    print(f"statuses:        {dict(result['statuses'])}")
    print(f"answer time ms:  {spread(latencies)}")
    print(f"from due time:   {spread(lags)}")
    load = f"{load_before:.1f} before, {load_after:.1f} after"
    print(f"machine load:    {load} (1-min load average, {os.cpu_count()} CPUs)")
    print(f"server CPU:      {server_cpu * ms / len(latencies):.2f} ms per request (all gunicorn processes)")
    print(f"inbox rows:      {by_status}")
    target = percentile(latencies, 0.99) * ms < 50 and result["statuses"].get(200) == total
    print(f"target p99 < 50 ms with every delivery accepted: {'met' if target else 'NOT met'}")


if __name__ == "__main__":
    main()
