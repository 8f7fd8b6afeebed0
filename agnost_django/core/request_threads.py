"""The ASGI handler's request threads: a fixed set of long-lived threads taking calls from the
event loop, the answer handed back with one ``call_soon_threadsafe``.

``loop.run_in_executor`` on a ``ThreadPoolExecutor`` does the same through two futures (a
``concurrent.futures.Future`` with its own lock and condition, chained to the asyncio
future by callbacks on both sides) and the executor's queue, semaphore and thread-count
check. Here a call is one tuple on a ``SimpleQueue`` and one asyncio future: 6 % less CPU
per get in one process at 16 concurrent requests; served (``--workers 2``), the two were
within the benchmark's spread (A B A B x 3, twice: 3 % less, then 4 % more).

The threads start on the first call in a process, so that a server that loads the
application and then forks (``agnost_serve --workers``) starts them in each worker, even
after the parent has served requests (an executor's idle count would then be the parent's,
and the child's first call would wait for a thread that is not there). They are
daemon threads: the server lets the requests in flight finish before it exits.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import threading
from queue import SimpleQueue
from typing import Any, Callable

_STOP = None


class RequestThreads:
    def __init__(self, threads: int, name: str) -> None:
        self.size, self.name = threads, name
        self.queue: SimpleQueue = SimpleQueue()
        self.threads: list[threading.Thread] = []
        self.pid: int | None = None
        self.lock = threading.Lock()

    async def run(self, function: Callable[..., Any], *args: Any) -> Any:
        """``function(*args)`` in one of the threads, in a copy of the caller's context."""
        if self.pid != os.getpid():
            self._start()
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.queue.put((loop, future, contextvars.copy_context(), function, args))
        return await future

    def shutdown(self) -> None:
        """Stop the threads once they have finished what they were given (tests)."""
        threads, self.threads, self.pid = self.threads, [], None
        for _thread in threads:
            self.queue.put(_STOP)
        for thread in threads:
            thread.join()

    def _start(self) -> None:
        with self.lock:
            if self.pid == os.getpid():
                return
            if self.pid is not None:  # a forked child: the parent's threads are not here
                self.queue = SimpleQueue()
            self.threads = [threading.Thread(target=self._work, name=f"{self.name}_{index}", daemon=True)
                            for index in range(self.size)]
            for thread in self.threads:
                thread.start()
            self.pid = os.getpid()

    def _work(self) -> None:
        queue = self.queue
        while (item := queue.get()) is not _STOP:
            loop, future, context, function, args = item
            try:
                answer, value = _answer, context.run(function, *args)
            except BaseException as exc:  # noqa: BLE001 - raised in the awaiting task
                answer, value = _fail, exc
            try:
                loop.call_soon_threadsafe(answer, future, value)
            except RuntimeError:  # the loop has closed: nobody waits for this answer
                pass
            item = future = args = value = None  # not held while the thread waits


def _answer(future: asyncio.Future, result: Any) -> None:
    if not future.done():  # the awaiting task may have been cancelled
        future.set_result(result)


def _fail(future: asyncio.Future, exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)
