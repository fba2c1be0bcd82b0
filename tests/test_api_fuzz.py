"""The HTTP contract fuzzed: schemathesis generates requests from the served OpenAPI document
(valid and invalid ones, for every operation) and runs all of its checks on each answer: no 5xx,
every status and body documented and matching its schema, valid input accepted.

Bounded and repeatable: a fixed number of examples per operation, derandomized (a fixed seed).
The operations are driven through hypothesis directly (schemathesis' own pytest plugin does not
run under this pytest version)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from unspin.api.app import create_app
from unspin.config import openapi_spec
from unspin.api.secret import bearer

EXAMPLES = 150  # per operation and kind
# Invalid requests must be refused with a documented 4xx; over a size limit that is 413, without
# the secret (schemathesis leaves out the Authorization header the contract requires) 401.
# A correction's span must lie inside its paragraph, which a schema cannot say: schema-valid
# corrections may get a 400 (and only that); so may schema-valid suggestion requests (their spans
# must lie inside the article's paragraphs).
CONFIG = SchemathesisConfig.from_str("""
[checks.negative_data_rejection]
expected-statuses = [400, 401, 413, 415]

[[operations]]
include-path = "/api/v1/feedback"
checks.positive_data_acceptance.expected-statuses = [201, 400]

[[operations]]
include-path = "/api/v1/suggestions"
checks.positive_data_acceptance.expected-statuses = [200, 400]
""")
# Every operation with valid requests; those that take input with invalid ones too.
CASES = [
    (path, method.upper(), mode)
    for path, item in openapi_spec()["paths"].items()
    for method, operation in item.items()
    for mode in GenerationMode
    if mode is GenerationMode.POSITIVE or "requestBody" in operation or operation.get("parameters")
]


@pytest.mark.parametrize("path,method,mode", CASES, ids=lambda v: getattr(v, "value", v))
def test_every_operation_keeps_the_contract(engine, path, method, mode):
    app = create_app(engine=engine)
    auth = {"Authorization": bearer(app.config["SECRET"])}  # every call carries the secret (test_secret.py: without it)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG, headers=auth)
    operation = schema[path][method]

    @given(case=operation.as_strategy(mode))
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def keeps_the_contract(case):
        case.call_and_validate(headers=auth)

    keeps_the_contract()
