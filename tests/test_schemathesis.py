"""Every operation of the OpenAPI document, fuzzed by schemathesis against a live uvicorn:
no server error, every status documented, every body as the schema says.

A bounded number of examples per operation (ICC_EXPOSURE_FUZZ_EXAMPLES, default 25) keeps it
to about a minute; raise it locally for a deeper run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import live_server

EXAMPLES = int(os.environ.get("ICC_EXPOSURE_FUZZ_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with live_server() as base:
        yield base


def test_every_operation_answers_as_documented(base_url: str) -> None:
    # Each operation by hand rather than schemathesis' pytest plugin, which does not load under
    # the pytest this project uses.
    api = schemathesis.openapi.from_url(base_url + "/openapi.json")
    failures: list[str] = []
    operations = 0
    only = os.environ.get("ICC_EXPOSURE_FUZZ_ONLY", "")
    for result in api.get_all_operations():
        operation = result.ok()
        if only not in operation.label:
            continue
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: report the first failure
        )
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(base_url=base_url, checks=CHECKS, timeout=15)

        started = time.monotonic()
        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {exc}")
        print(f"{operation.label}: {time.monotonic() - started:.1f} s")
    assert operations >= 15 or only
    assert not failures, "\n\n".join(failures)
