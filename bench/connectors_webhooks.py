"""Per-delivery cost of the connector side of a webhook: signature check + schema parse.

This is the part of the receiver's answer time that the connectors own (the rest is the inbox
write and the enqueue, measured by bench/ingest.py). Prints microseconds per delivery for each
platform's vendor-shaped "new application" fixture.

    .venv/bin/python bench/connectors_webhooks.py [--deliveries 5000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from connectors.registry import PLATFORMS

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
NEW_APPLICATION = {
    "greenhouse": "new_candidate_application.json",
    "lever": "applicationCreated.json",
    "ashby": "applicationSubmit.json",
    "workable": "candidate_created.json",
    "smartrecruiters": "application.created.json",
    "kombo": "data-changed.json",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=5000)
    args = parser.parse_args()
    print(f"{'platform':16} {'bytes':>6} {'p50 us':>8} {'p99 us':>8} {'per s':>8}")
    for name, connector in sorted(PLATFORMS.items()):
        payload = json.loads((FIXTURES / name / NEW_APPLICATION[name]).read_text())
        raw_body, headers = connector.signed_delivery("bench-secret", payload)
        timings = []
        for _ in range(args.deliveries):
            start = time.perf_counter()
            if not connector.verify("bench-secret", raw_body, headers):
                raise SystemExit(f"{name}: the signed fixture does not verify")
            connector.parse_event(raw_body, headers)
            timings.append((time.perf_counter() - start) * 1e6)
        p50 = statistics.median(timings)
        p99 = statistics.quantiles(timings, n=100)[98]
        print(f"{name:16} {len(raw_body):6d} {p50:8.1f} {p99:8.1f} {1e6 / statistics.mean(timings):8.0f}")


if __name__ == "__main__":
    main()
