"""Runs one README server-library example inside ``manage.py shell`` of the test server.

``manage.py shell -c "from tests.readme.harness import run_block; run_block(PATH)"`` executes
the file at PATH in a fresh namespace (not the shell's, which Django fills with auto-imports
that would hide a missing import), and records the error code of every failed
:class:`~agnost_django.core.result.Result` that the example's own calls return: a
server-library call never raises, so a failure is only visible there. Failures of calls made
*inside* one of those calls (a signal receiver of the project publishing a change, say) are
the project's, not the example's: they are listed apart, as ``nested``. The last line printed
is ``README-RESULT {"codes": [...], "nested": [...]}``; an exception ends the process with its
traceback.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

RESULT_PREFIX = "README-RESULT "


def _facade_calls_on_stack() -> int:
    """How many server-library calls (``returns_result`` wrappers) are running right now."""
    return sum(1 for info in inspect.stack(0) if info.frame.f_code.co_qualname == "returns_result.<locals>.wrapper")


def run_block(path: str) -> None:
    from agnost_django.core import result as result_module

    codes: list[str] = []
    nested: list[str] = []
    original = result_module.errors_from_exception

    def recording(exc):
        errors = original(exc)
        # A failed call's own Result is made inside its wrapper (or, for a missing module or
        # resource, by an accessor outside any): more than one wrapper means a call's call.
        (nested if _facade_calls_on_stack() > 1 else codes).extend(item.code for item in errors.items)
        return errors

    # Result.failure and FailedAccessor.for_exception look the function up in the module
    # when they are called, so every failed Result goes through ``recording``.
    result_module.errors_from_exception = recording
    try:
        exec(compile(Path(path).read_text(), path, "exec"), {"__name__": "__readme__"})  # noqa: S102
    finally:
        result_module.errors_from_exception = original
    print(RESULT_PREFIX + json.dumps({"codes": codes, "nested": nested}), flush=True)
