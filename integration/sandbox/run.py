"""`hirewatch run`: the whole service on one machine with embedded defaults, fed by the sandbox.

Starts the sandbox ATS, the web app (gunicorn), a Celery worker and beat as child processes;
brings a broker (REDIS_URL, else a private `redis-server`, else Celery's filesystem transport)
and lists (stored, else ../shared/data, else the labelled DEMO list); registers a sandbox
installation, sends signed applications through it and prints what came back.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import click
import requests
from sqlalchemy import select

from integration.config import Settings
from integration.sandbox.demo import demo_candidates
from integration.sandbox.state import CLIENT_ID, CLIENT_SECRET
from screening.lists import NoListsError, load_demo
from screening.lists.store import ListStore
from store import review
from store.db import engine_for
from store.inbox import FINAL_STATUSES
from store.tables import applicants, inbox

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
SANDBOX_USER = "4080"  # the Greenhouse user id the token is issued for (its sub): notes are written as it
WAIT_SECONDS = 180
DEMO_REVIEWER = "demo@hirewatch.local"
HIREWATCH = [sys.executable, "-c", "from integration.cli import main; main()"]  # this venv's CLI


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, what: str, timeout: float = 60, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise click.ClickException(f"{what} exited with {process.returncode}; see its log")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise click.ClickException(f"{what} did not answer on {url} within {timeout:.0f}s; see its log")


@dataclass
class Service:
    """The child processes, stopped together (SIGTERM, then SIGKILL after a grace period)."""

    log_dir: Path
    env: dict[str, str]
    children: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = (self.log_dir / f"{name}.log").open("ab")
        child = subprocess.Popen(
            argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.children[name] = child
        return child

    def hirewatch(self, name: str, *args: str) -> subprocess.Popen:
        return self.start(name, [*HIREWATCH, *args])

    def dead(self) -> list[str]:
        return [name for name, child in self.children.items() if child.poll() is not None]

    def stop(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()


def choose_broker(service: Service, settings: Settings) -> str:
    """REDIS_URL if set; else a private redis-server; else tasks kept as files on disk."""
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    if shutil.which("redis-server"):
        port = free_port()
        service.start(
            "redis",
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--dir",
                str(settings.data_dir),
            ],
        )
        return f"redis://127.0.0.1:{port}/0"
    click.echo("no REDIS_URL and no redis-server: tasks are kept as files under the data directory", err=True)
    return "filesystem://"


def ensure_lists(settings: Settings) -> str:
    store = ListStore(settings.lists_dir)
    if store.current_version():
        return f"stored lists (version {store.current_version()})"
    if (SHARED_DATA / "ofac" / "sdn.csv").exists():
        click.echo(f"importing the lists in {SHARED_DATA} (once) ...", err=True)
        store.import_directory(SHARED_DATA)
        return f"lists imported from {SHARED_DATA}"
    return "the DEMO list (made-up entries, NOT real sanctions data; run `hirewatch lists update`)"


def list_snapshots(settings: Settings):
    try:
        return ListStore(settings.lists_dir).current_snapshots()
    except NoListsError:
        return load_demo()


def register_installation(service: Service, sandbox_url: str) -> dict:
    """Through the real CLI, as an admin would: `hirewatch installations add ... --json`."""
    args = [
        "installations",
        "add",
        "--platform",
        "greenhouse",
        "--name",
        "Sandbox ATS (demo)",
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        CLIENT_SECRET,
        "--api-base-url",
        f"{sandbox_url}/v3",
        "--token-url",
        f"{sandbox_url}/token",
        "--on-behalf-of",
        SANDBOX_USER,
        "--json",
    ]
    return json.loads(admin_command(service, args, "register the sandbox installation"))


def demo_reviewer(service: Service, settings: Settings, installation_id: str) -> tuple[str, str, bool]:
    """An admin login for the review pages with a fresh random password (shown once): created by
    the first run; a later run (a new sandbox ATS, so a new installation) moves it to this run's
    installation. The flag says whether it already existed."""
    email, password = DEMO_REVIEWER, secrets.token_urlsafe(12)
    with engine_for(settings.database_url).begin() as conn:
        existed = review.reset_user(conn, email, installation_id, password, actor="hirewatch run") is not None
    if not existed:
        args = ["users", "add", "--installation", installation_id, "--email", email, "--role", "admin"]
        admin_command(service, [*args, "--password", password], "create the demo reviewer")
    return email, password, existed


def admin_command(service: Service, args: list[str], what: str) -> str:
    """Run a `hirewatch` admin command as an admin would; its standard output."""
    output = subprocess.run([*HIREWATCH, *args], env=service.env, capture_output=True, text=True, check=False)
    if output.returncode != 0:
        raise click.ClickException(f"could not {what}: {output.stderr.strip()}")
    return output.stdout


def send_applications(sandbox_url: str, installation: dict, candidates: list[dict]) -> list[dict]:
    created = [
        requests.post(f"{sandbox_url}/_sandbox/candidates", json=c, timeout=10).json() for c in candidates
    ]
    sent = requests.post(
        f"{sandbox_url}/_sandbox/webhooks",
        json={
            "url": installation["webhook_url"],
            "secret": installation["webhook_secret"],
            "candidate_ids": [c["id"] for c in created],
        },
        timeout=60,
    ).json()
    refused = [s for s in sent if s["status"] != 200]
    if refused:
        raise click.ClickException(f"the receiver refused webhooks: {refused}")
    return created


def wait_for_screenings(settings: Settings, installation_id: str, count: int, service: Service) -> list[str]:
    engine = engine_for(settings.database_url)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            statuses = list(
                conn.execute(select(inbox.c.status).where(inbox.c.installation_id == installation_id))
            )
        statuses = [s[0] for s in statuses]
        if len(statuses) >= count and all(s in FINAL_STATUSES for s in statuses):
            return statuses
        if service.dead():
            raise click.ClickException(f"{', '.join(service.dead())} stopped; see {service.log_dir}")
        time.sleep(0.5)
    raise click.ClickException(
        f"screenings not finished after {WAIT_SECONDS}s; see {service.log_dir}/worker.log"
    )


def print_summary(settings: Settings, installation_id: str, sandbox_url: str, created: list[dict]) -> None:
    engine = engine_for(settings.database_url)
    with engine.connect() as conn:
        risks = dict(
            conn.execute(
                select(applicants.c.external_id, applicants.c.risk).where(
                    applicants.c.installation_id == installation_id
                )
            ).all()
        )
    click.echo("\nApplications screened (candidate, risk, what HireWatch wrote into the sandbox ATS):")
    for candidate in created:
        written = requests.get(
            f"{sandbox_url}/_sandbox/candidates/{candidate['id']}/writebacks", timeout=10
        ).json()
        name = f"{candidate['first_name']} {candidate['last_name']}"
        tags = ", ".join(written["tags"]) or "-"
        click.echo(
            f"  {candidate['id']}  {name:<32} {risks.get(str(candidate['id']), '?'):<8} tags: {tags}; "
            f"notes: {len(written['notes'])}"
        )
    click.echo(f"\nReview queue:        {settings.public_url}/review")
    click.echo(f"Tags and notes:      {sandbox_url}/_sandbox/writebacks")
    click.echo(f"Logs:                {settings.data_dir / 'logs'}")


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _stop_on_signals() -> None:
    """Ctrl-C, `kill` and a closed terminal all stop the children (even where a shell started us
    with SIGINT ignored, as it does for background jobs)."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    for signum in STOP_SIGNALS:
        signal.signal(signum, interrupt)


def run(once: bool, web_port: int, sandbox_port: int) -> None:
    _stop_on_signals()
    base = Settings.from_env()
    env = {
        **os.environ,
        "HIREWATCH_DATA_DIR": str(base.data_dir),
        "HIREWATCH_PUBLIC_URL": os.environ.get("HIREWATCH_PUBLIC_URL", f"http://127.0.0.1:{web_port}"),
        # The sandbox ATS is loopback http: allowed for this run only, beside the operator's own.
        "HIREWATCH_ALLOW_API_URLS": ",".join(
            filter(
                None, [os.environ.get("HIREWATCH_ALLOW_API_URLS", ""), f"http://127.0.0.1:{sandbox_port}/"]
            )
        ),
    }
    (base.data_dir / "logs").mkdir(parents=True, exist_ok=True)
    service = Service(base.data_dir / "logs", env)
    try:
        env["REDIS_URL"] = choose_broker(service, base)
        os.environ.update({k: env[k] for k in ("REDIS_URL", "HIREWATCH_PUBLIC_URL", "HIREWATCH_DATA_DIR")})
        settings = Settings.from_env()
        lists_source = ensure_lists(settings)
        if lists_source.startswith("the DEMO"):
            env["HIREWATCH_DEMO_LISTS"] = "1"
        click.echo(f"screening against {lists_source}", err=True)
        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        sandbox = service.hirewatch("sandbox", "sandbox", "--port", str(sandbox_port), "--candidates", "20")
        web = service.hirewatch("web", "serve", "--port", str(web_port), "--workers", "2")
        service.hirewatch("worker", "worker", "--concurrency", "2")
        service.hirewatch("beat", "beat")
        wait_for_http(f"{sandbox_url}/_sandbox/stats", "the sandbox ATS", process=sandbox)
        wait_for_http(f"{settings.public_url}/healthz", "the web app", process=web)
        installation = register_installation(service, sandbox_url)
        created = send_applications(sandbox_url, installation, demo_candidates(list_snapshots(settings)))
        click.echo(
            f"sent {len(created)} signed Greenhouse webhooks; waiting for the screenings "
            "(Harvest v3 token, fetch, screen, tag and note) ...",
            err=True,
        )
        wait_for_screenings(settings, installation["id"], len(created), service)
        email, password, existed = demo_reviewer(service, settings, installation["id"])
        print_summary(settings, installation["id"], sandbox_url, created)
        click.echo(f"Log in as:           {email}  password: {password}")
        if existed:
            click.echo(
                "                     (the earlier run's demo reviewer: new password, this run's data)"
            )
        if once:
            return
        click.echo("\nRunning. Ctrl-C stops everything.")
        while not service.dead():
            time.sleep(1)
        raise click.ClickException(f"{', '.join(service.dead())} stopped; see {service.log_dir}")
    except KeyboardInterrupt:
        click.echo("\nstopping ...", err=True)
    finally:
        for signum in STOP_SIGNALS:  # a second Ctrl-C must not cut the clean stop short
            signal.signal(signum, signal.SIG_IGN)
        service.stop()
