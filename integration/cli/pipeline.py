"""`hirewatch worker | beat | rescreen | sandbox | run`: the pipeline's commands."""

from __future__ import annotations

import logging
import sys

import click

from integration.cli.startup import checked_settings
from integration.sandbox.state import CLIENT_ID, CLIENT_SECRET, DEFAULT_RATE_LIMIT

log = logging.getLogger(__name__)


@click.command()
@click.option("--queues", default="live,bulk", show_default=True, help="comma-separated: live, bulk")
@click.option("--concurrency", type=int, default=None, help="worker processes (default: one per CPU)")
@click.option("--loglevel", default="info", show_default=True)
def worker(queues: str, concurrency: int | None, loglevel: str) -> None:
    """Run a Celery worker (screens webhooks on `live`, re-screens on `bulk`)."""
    from tasks.app import app, worker_args

    checked_settings()
    app.worker_main(worker_args(queues, concurrency, loglevel))


@click.command()
@click.option("--loglevel", default="info", show_default=True)
def beat(loglevel: str) -> None:
    """Run Celery beat: the inbox sweeper and the daily list refresh."""
    from tasks.app import app

    settings = checked_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    schedule = settings.data_dir / "celerybeat-schedule"
    app.start(["beat", "--loglevel", loglevel, "--schedule", str(schedule)])


@click.command()
@click.argument("installation_id", required=False)
@click.option("--resume", "resume_id", type=int, help="continue job ID after a crash")
@click.option("--cancel", "cancel_id", type=int, help="cancel job ID")
@click.option("--no-wait", is_flag=True, help="start the job and return its id")
def rescreen(
    installation_id: str | None, resume_id: int | None, cancel_id: int | None, no_wait: bool
) -> None:
    """Re-screen every candidate of INSTALLATION_ID (needs a running `hirewatch worker`)."""
    from tqdm import tqdm

    from tasks.rescreen import cancel_rescreen, resume_job, start_rescreen, wait_for

    if cancel_id is not None:
        if not cancel_rescreen(cancel_id, requested_by="cli"):
            raise click.ClickException(f"job {cancel_id} is not running (see the admin API for its state)")
        click.echo(f"job {cancel_id} cancelled")
        return
    if resume_id is not None:
        resume_job(resume_id)
        job_id = resume_id
    elif installation_id:
        job_id = start_rescreen(installation_id, requested_by="cli")
    else:
        raise click.UsageError("give an INSTALLATION_ID, --resume JOB or --cancel JOB")
    click.echo(f"re-screen job {job_id} started", err=True)
    if no_wait:
        click.echo(job_id)
        return
    bar = tqdm(unit="candidate", file=sys.stderr, desc=f"job {job_id}")

    def show(job) -> None:
        if job is None:
            return
        bar.total = job.total if job.paging_done else None
        bar.n = job.done + job.failed
        bar.set_postfix(failed=job.failed, status=job.status, refresh=False)
        bar.refresh()

    try:
        job = wait_for(job_id, show)
    except KeyboardInterrupt:
        bar.close()
        click.echo(
            f"\nstopped watching; the job goes on. Resume watching: hirewatch rescreen --resume {job_id}; "
            f"cancel: hirewatch rescreen --cancel {job_id}",
            err=True,
        )
        return
    bar.close()
    click.echo(f"job {job_id}: {job.status}, {job.done} screened, {job.failed} failed of {job.total}")
    if job.status != "done":
        sys.exit(1)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8025, show_default=True, type=int)
@click.option("--candidates", "count", default=50, show_default=True, help="synthetic candidates to seed")
@click.option("--seed", default=42, show_default=True, help="random seed for the synthetic candidates")
@click.option("--client-id", default=CLIENT_ID, show_default=True, help="the OAuth client id it accepts")
@click.option(
    "--client-secret", default=CLIENT_SECRET, show_default=True, help="the OAuth client secret it accepts"
)
@click.option(
    "--rate-limit",
    default=DEFAULT_RATE_LIMIT,
    show_default=True,
    help="requests allowed per 10 seconds per token user (then 429)",
)
def sandbox(
    host: str, port: int, count: int, seed: int, client_id: str, client_secret: str, rate_limit: int
) -> None:
    """Run the sandbox ATS: a local Greenhouse Harvest v3 stand-in with synthetic candidates."""
    from werkzeug.serving import make_server

    from integration.sandbox.seed import synthetic_candidates
    from integration.sandbox.server import create_sandbox_app
    from integration.sandbox.state import SandboxState

    state = SandboxState(client_id=client_id, client_secret=client_secret, rate_limit=rate_limit)
    for fields in synthetic_candidates(count, seed=seed):
        state.add_candidate(fields)
    server = make_server(host, port, create_sandbox_app(state), threaded=True)
    click.echo(
        f"sandbox ATS (Greenhouse Harvest v3) on http://{host}:{port}/v3 with {count} candidates; "
        f"token URL http://{host}:{port}/token, client id {client_id!r}, {rate_limit} requests/10 s",
        err=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@click.command()
@click.option("--once", is_flag=True, help="exit after the demo applications are screened (no Ctrl-C wait)")
@click.option("--port", "web_port", default=8000, show_default=True, help="the web app's port")
@click.option("--sandbox-port", default=8025, show_default=True, help="the sandbox ATS's port")
def run(once: bool, web_port: int, sandbox_port: int) -> None:
    """Run everything locally: web app, worker, beat and the sandbox ATS, then a demo."""
    from integration.sandbox.run import run as run_service

    run_service(once=once, web_port=web_port, sandbox_port=sandbox_port)
