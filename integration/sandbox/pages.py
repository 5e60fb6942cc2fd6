"""The sandbox ATS's write-backs as a page a person reads: each candidate's tags and notes.

It reads the sandbox state only (not any Harvest route), so it does not change with the API
version the sandbox speaks. The JSON at the same address stays for scripts and tests.
"""

from __future__ import annotations

from flask import render_template_string

from integration.sandbox.state import SandboxState

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sandbox ATS: what HireWatch wrote</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; padding: 1rem; max-width: 60rem; }
body { overflow-wrap: anywhere; }
section { border: 1px solid #ccc; border-radius: .4rem; padding: .5rem 1rem; margin-bottom: 1rem; }
.tag { display: inline-block; background: #8a5300; color: #fff; padding: 0 .4rem; border-radius: .25rem; }
pre { white-space: pre-wrap; background: #f6f6f6; padding: .5rem; margin: .25rem 0; }
</style></head><body>
<h1>Sandbox ATS: tags and notes HireWatch wrote</h1>
<p>{{ rows|length }} candidate{{ '' if rows|length == 1 else 's' }} written to. The same data as JSON:
<a href="?format=json">?format=json</a>.</p>
{% for row in rows %}
<section id="candidate-{{ row.candidate_id }}">
  <h2>{{ row.name or 'Candidate' }} <small>candidate {{ row.candidate_id }}</small></h2>
  <p>Tags: {% for tag in row.tags %}<span class="tag">{{ tag }}</span> {% else %}none{% endfor %}</p>
  {% for note in row.notes %}
  <p>Note {{ loop.index }}{% if note.created_at %}, {{ note.created_at }}{% endif %}:</p>
  <pre>{{ note.body }}</pre>
  {% else %}<p>No notes.</p>{% endfor %}
</section>
{% else %}
<p>Nothing written yet.</p>
{% endfor %}
</body></html>
"""


def writebacks_page(state: SandboxState, rows: list[dict]) -> str:
    """`rows` are `state.writebacks(candidate)` dicts; names come from the stored candidates."""
    named = []
    for row in rows:
        candidate = state.candidates.get(row["candidate_id"], {})
        name = f"{candidate.get('first_name', '')} {candidate.get('last_name', '')}".strip()
        named.append({**row, "name": name})
    return render_template_string(PAGE, rows=named)
