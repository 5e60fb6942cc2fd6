"""`hirewatch --help` answers without importing the heavy parts (issue 11, item 7)."""

from __future__ import annotations

import json
import subprocess
import sys

import click

from integration.cli import COMMANDS, main

# Modules that cost seconds or tens of MB to import; none is needed to print the help.
HEAVY = ("sqlalchemy", "flask", "celery", "datasketch", "scipy", "phonenumbers", "rapidfuzz", "pypinyin",
         "screening.matching", "screening.engine", "store.db", "connectors.registry")  # fmt: skip


def test_every_lazy_command_loads_with_the_short_help_listed() -> None:
    ctx = click.Context(main)
    for name, (*_, short_help) in COMMANDS.items():
        command = main.get_command(ctx, name)
        assert command is not None and command.name == name
        assert command.get_short_help_str(limit=10_000) == short_help


def test_help_imports_no_heavy_module() -> None:
    script = (
        "import sys, json\n"
        "from integration.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    *_, modules_line = done.stdout.strip().splitlines()
    loaded = json.loads(modules_line)
    assert "screen" in done.stdout
    assert [m for m in loaded if m.startswith(HEAVY)] == []


def test_screening_a_name_loads_neither_scipy_nor_phone_place_names() -> None:
    script = (
        "import sys, json\n"
        "from screening.engine import Screener\n"
        "from screening.lists import load_demo\n"
        "from screening.models import Applicant\n"
        "Screener(load_demo()).screen(Applicant(id='1', name='Kim Jong', location='Berlin, Germany',\n"
        "                                       phones=['+49 30 123456']))\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert "screening.identifiers" in loaded
    assert [m for m in loaded if m.startswith(("scipy", "datasketch", "phonenumbers.geodata"))] == []
