"""Re-screen N candidates from the sandbox ATS with real Celery workers, end to end.

    .venv/bin/python bench/rescreen.py --candidates 100000 --workers 2

Starts the sandbox ATS (in this process), imports the lists into a temporary store, starts
`--workers` Celery worker processes (concurrency 1 each) on a dedicated Redis DB, starts one
re-screen job and waits for it. Prints candidates/s end to end (paging, upserts, screening,
recording, write-backs) and the share of worker time spent waiting on the ATS rate limit.
`--rate-limit` is the sandbox's budget per 10 seconds (Greenhouse's documented example is 50).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from integration.sandbox.harness import SandboxThread  # noqa: E402
from screening.lists.store import ListStore  # noqa: E402
from store.db import engine_for  # noqa: E402
from store.installations import create_installation  # noqa: E402
from store.secretbox import SecretBox  # noqa: E402
from tasks import runtime  # noqa: E402
from tasks.app import worker_command  # noqa: E402
from tasks.ratelimit import SharedRateLimiter, account_key, budget_for  # noqa: E402

SHARED_DATA = ROOT.parent / "shared" / "data"
FIXTURE_LISTS = ROOT / "tests" / "fixtures" / "lists" / "basic"
SECRET_KEY = "bench-secret-key-0123456789abcdef0123456789"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate-limit", type=int, default=1_000_000, help="sandbox requests per 10 s")
    parser.add_argument(
        "--lists",
        choices=["shared", "fixture"],
        default="shared",
        help="shared: ../shared/data (real OFAC + UN); fixture: a few real rows",
    )
    parser.add_argument("--redis-db", type=int, default=9)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="hirewatch-bench-"))
    redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
    redis.Redis.from_url(redis_url).flushdb()
    env = {
        **os.environ,
        "HIREWATCH_DATA_DIR": str(workdir),
        "HIREWATCH_DATABASE_URL": f"sqlite:///{workdir / 'hw.db'}",
        "REDIS_URL": redis_url,
        "HIREWATCH_SECRET_KEY": SECRET_KEY,
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    runtime.reset()
    lists = (
        SHARED_DATA
        if args.lists == "shared" and (SHARED_DATA / "ofac" / "sdn.csv").exists()
        else FIXTURE_LISTS
    )
    ListStore(workdir / "lists").import_directory(lists)
    print(f"seeding {args.candidates:,} candidates into the sandbox ATS ...", file=sys.stderr)
    with SandboxThread(candidates=args.candidates, rate_limit=args.rate_limit) as sandbox:
        env["HIREWATCH_ALLOW_API_URLS"] = sandbox.url  # the workers may call the loopback sandbox
        engine = engine_for(env["HIREWATCH_DATABASE_URL"])
        with engine.begin() as conn:
            installation = create_installation(
                conn,
                SecretBox(SECRET_KEY),
                platform="greenhouse",
                name="Bench",
                **sandbox.credentials(),
            )
        workers = [
            subprocess.Popen(
                [*worker_command(concurrency=1, loglevel="warning"), "-n", f"bench{n}@%h"],
                cwd=ROOT,
                env=env,
                stdout=(workdir / f"worker{n}.log").open("w"),
                stderr=subprocess.STDOUT,
            )
            for n in range(args.workers)
        ]
        try:
            time.sleep(3)  # workers up before the clock starts (their screener loads on the first task)
            from tasks.rescreen import start_rescreen, wait_for

            started = time.perf_counter()
            job_id = start_rescreen(installation.id, requested_by="bench")
            bar = tqdm(total=args.candidates, unit="cand", file=sys.stderr)

            def show(job) -> None:
                bar.n = job.done + job.failed
                bar.refresh()

            job = wait_for(job_id, show, poll_seconds=1.0)
            elapsed = time.perf_counter() - started
            bar.close()
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=30)
        limiter = SharedRateLimiter(
            runtime.redis_client(),
            account_key(installation.platform, installation.api_base_url, installation.client_id),
            budget_for("greenhouse", {}),
        )
        waited = limiter.total_waited()
        stats = sandbox.state.stats
    print(f"lists: {lists}")
    print(f"job {job_id}: {job.status}; {job.done:,} screened, {job.failed:,} failed of {job.total:,}")
    print(f"end to end: {elapsed:.1f} s, {job.total / elapsed:,.0f} candidates/s with {args.workers} workers")
    print(
        f"ATS requests: {stats['requests']:,}, answered 429: {stats['rate_limited']:,}; "
        f"sandbox budget {args.rate_limit:,} per 10 s"
    )
    print(
        f"waiting on the rate limit: {waited:.1f} s of {elapsed * args.workers:.1f} worker-seconds "
        f"({waited / (elapsed * args.workers):.1%})"
    )
    redis.Redis.from_url(redis_url).flushdb()


if __name__ == "__main__":
    main()
