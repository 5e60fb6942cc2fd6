"""What the résumé limits cost and what they stop: prints figures for bench/README.md.

    .venv/bin/python bench/resume.py

Files are generated here with the tests' builders (our own data, not real résumés): a small PDF
and DOCX, and a DOCX bomb (300,000 paragraphs: 10 MB of XML in a 66 KB file).
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.resume import Limits, ResumeError, extract_text
from tests.test_connectors_resume import make_docx, make_pdf
from tests.test_resume_hostile import PARAGRAPH, docx_with_body

RUNS = 7


def median_ms(data: bytes, name: str, limits: Limits) -> float:
    extract_text(data, name, limits=limits)  # warm-up: imports
    runs = []
    for _ in range(RUNS):
        started = time.perf_counter()
        extract_text(data, name, limits=limits)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs) * 1000


def outcome(data: bytes, limits: Limits) -> str:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        result = f"{len(extract_text(data, 'cv.docx', limits=limits))} chars"
    except ResumeError as exc:
        result = f"ResumeError: {exc}"
    grew = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) // 1024
    return f"{time.perf_counter() - started:.2f} s, this process's peak RSS +{grew} MB: {result}"


def main() -> None:
    pdf, docx = (
        make_pdf(["Jonathan Meyers", "Brightline Software (2020-)"]),
        make_docx(["Mina Park", "Engineer"]),
    )
    for isolate in (False, True):
        where = "in a limited child" if isolate else "in this process"
        for name, data in (("cv.pdf", pdf), ("cv.docx", docx)):
            took = median_ms(data, name, Limits(isolate=isolate))
            print(f"{name} parsed {where}: median {took:.0f} ms ({RUNS} runs)")
    bomb = docx_with_body(PARAGRAPH, 300_000)
    print(f"DOCX bomb ({len(bomb):,} bytes), default limits: {outcome(bomb, Limits())}")
    unchecked = {"max_zip_ratio": 10_000, "max_unzipped_bytes": 10**9}
    print(f"  zip checks lifted, 160 MB child: {outcome(bomb, Limits(**unchecked, memory_bytes=160 << 20))}")


if __name__ == "__main__":
    main()
