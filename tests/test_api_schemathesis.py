"""Property-based run against /api/v1/openapi.json, in-process (WSGI), with a valid admin token
(the operator's on the operator's endpoints):
whatever the generated input, the API never answers 5xx. Bounded: a few dozen examples per
operation. (Driven through hypothesis directly: schemathesis' lazy pytest fixture loader does
not work with pytest 9.)"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from integration.api.routing import OPERATIONS
from screening.lists.store import ListStore
from store import review
from store.db import init_db, make_engine
from tests.review_helpers import LIST_FIXTURE, make_app, tenant_with_queue

EXAMPLES_PER_OPERATION = 30


@pytest.fixture(scope="module")
def api_schema_and_token(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("schemathesis")
    url = f"sqlite:///{data_dir / 'hirewatch.db'}"
    engine = make_engine(url)
    init_db(engine)
    with engine.begin() as conn:
        tenant_with_queue(conn, "acme")
        tokens = {
            review.Scope.ADMIN: review.create_token(conn, "acme", review.Scope.ADMIN)[1],
            review.Scope.OPERATOR: review.create_operator_token(conn)[1],
        }
    ListStore(data_dir / "lists").import_directory(LIST_FIXTURE)  # search and lists answer from it
    app = make_app(url, data_dir)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app), tokens


@pytest.mark.parametrize(
    "endpoint",
    [op.endpoint for op in OPERATIONS if op.endpoint != "delete_installation"] + ["delete_installation"],
)  # last: it removes the tenant the others use
def test_api_never_answers_a_server_error(api_schema_and_token, endpoint) -> None:
    schema, tokens = api_schema_and_token
    (operation,) = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().definition.raw["operationId"] == endpoint
    ]
    scope = review.Scope(operation.definition.raw["x-scope"])
    token = tokens[scope if scope == review.Scope.OPERATOR else review.Scope.ADMIN]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        if "installation_id" in (case.path_parameters or {}):
            case.path_parameters["installation_id"] = "acme"  # random ids only reach the 404 branch
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error])

    run()
