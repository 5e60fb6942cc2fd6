"""The plugin manifest (`manifest.json` at the repository root), served at `/manifest.json`."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask, Response, jsonify

MANIFEST_PATH = Path(__file__).resolve().parent.parent / "manifest.json"


def load_manifest() -> dict:
    return json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))


def init_manifest(app: Flask) -> None:
    manifest = load_manifest()  # read once: a broken file stops start-up, not a request

    @app.get("/manifest.json")
    def manifest_json() -> Response:
        return jsonify(manifest)
