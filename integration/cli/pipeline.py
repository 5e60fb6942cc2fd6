"""`hirewatch worker | beat | rescreen | sandbox | run`: the pipeline's commands."""

from __future__ import annotations

import logging

import click

from integration.sandbox.state import DEFAULT_RATE_LIMIT

log = logging.getLogger(__name__)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8025, show_default=True, type=int)
@click.option("--candidates", "count", default=50, show_default=True, help="synthetic candidates to seed")
@click.option("--seed", default=42, show_default=True, help="random seed for the synthetic candidates")
@click.option("--api-key", default="sandbox-key", show_default=True, help="the Harvest API key it accepts")
@click.option(
    "--rate-limit",
    default=DEFAULT_RATE_LIMIT,
    show_default=True,
    help="requests allowed per 10 seconds per API key (then 429)",
)
def sandbox(host: str, port: int, count: int, seed: int, api_key: str, rate_limit: int) -> None:
    """Run the sandbox ATS: a local Greenhouse Harvest v1 stand-in with synthetic candidates."""
    from werkzeug.serving import make_server

    from integration.sandbox.seed import synthetic_candidates
    from integration.sandbox.server import create_sandbox_app
    from integration.sandbox.state import SandboxState

    state = SandboxState(api_key=api_key, rate_limit=rate_limit)
    for fields in synthetic_candidates(count, seed=seed):
        state.add_candidate(fields)
    server = make_server(host, port, create_sandbox_app(state), threaded=True)
    click.echo(
        f"sandbox ATS (Greenhouse Harvest v1) on http://{host}:{port}/v1 with {count} candidates; "
        f"API key {api_key!r}, {rate_limit} requests/10 s",
        err=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
