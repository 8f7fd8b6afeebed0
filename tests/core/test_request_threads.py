"""``agnost_django.core.request_threads``: calls from the event loop run in the pool's threads,
in a copy of the caller's context; an exception reaches the awaiting task."""

from __future__ import annotations

import asyncio
import contextvars
import threading

import pytest

from agnost_django.core.request_threads import RequestThreads

flavour = contextvars.ContextVar("flavour", default="none")


@pytest.fixture
def threads():
    pool = RequestThreads(2, "test-pool")
    yield pool
    pool.shutdown()


def test_calls_run_in_the_pools_threads_with_the_callers_context(threads):
    def where(number):
        flavour.set("changed in the thread")  # a copy: the caller's context keeps its value
        return number, threading.current_thread().name

    async def run():
        flavour.set("oat")
        answers = await asyncio.gather(*(threads.run(lambda n=n: (flavour.get(), where(n))) for n in range(20)))
        return answers, flavour.get()

    answers, after = asyncio.run(run())
    assert [seen for seen, _ in answers] == ["oat"] * 20
    assert [number for _, (number, _name) in answers] == list(range(20))
    assert {name for _, (_n, name) in answers} <= {"test-pool_0", "test-pool_1"}
    assert after == "oat"


def test_an_exception_is_raised_in_the_awaiting_task(threads):
    def fail():
        raise LookupError("nothing here")

    async def run():
        with pytest.raises(LookupError, match="nothing here"):
            await threads.run(fail)
        return await threads.run(lambda: "still serving")

    assert asyncio.run(run()) == "still serving"


def test_a_cancelled_caller_does_not_stop_the_pool(threads):
    release = threading.Event()

    async def run():
        slow = asyncio.ensure_future(threads.run(release.wait, 5))
        await asyncio.sleep(0.05)
        slow.cancel()
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await slow
        return await threads.run(lambda: "next")

    assert asyncio.run(run()) == "next"
