"""The worker processes that make briefs: bounded in memory and time, replaced when they die.

A `ProcessPoolExecutor` whose worker is killed (the kernel's OOM killer, an operator's SIGKILL)
is broken for good: every later task fails with `BrokenProcessPool`. `WorkerPool` is an Executor
over one such pool that builds a fresh pool when that happens, and runs each task the breakage
took down again, alone, in a one-worker retry pool: a task that breaks that one too is the one
that kills workers, and its caller gets `WorkerLost`, a message a user can read. The others go
on.

Each worker also has
* a memory ceiling (`RLIMIT_AS`, set when it starts): a pathological input ends its own task
  with MemoryError, reported as `TooLarge`, instead of taking the host's memory;
* a deadline per task: SIGALRM inside the worker stops Python code cleanly (`DeadlineExceeded`),
  and a worker still busy `grace` seconds later (stuck in C code) is killed, which the pool
  survives as above.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import resource
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, InvalidStateError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bot.errors import DeadlineExceeded, TooLarge, WorkerLost

T = TypeVar("T")

GRACE = 5.0
"""Seconds a worker past its deadline has to stop by itself before it is killed."""


class _Overdue(BaseException):
    """Raised by SIGALRM in a worker. Not an Exception, so no `except Exception` swallows it."""


def _on_alarm(signum: int, frame: object) -> None:
    raise _Overdue


def _exit_with(parent: int) -> None:
    """A worker whose bot was killed (SIGKILL, OOM) exits too instead of lingering."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _start_worker(parent: int, memory_mb: int | None, warm_up: Callable[[], None] | None) -> None:
    if memory_mb:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory_mb * 2**20
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    if warm_up is not None:
        warm_up()


def _run_task(
    fn: Callable[..., T],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    deadline: float | None,
    marker: str,
    memory_mb: int | None,
) -> T:
    """Runs in the worker: records its pid for the parent, then runs `fn` within its bounds."""
    Path(marker).write_text(f"{os.getpid()} {time.time()}")
    if deadline:
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, deadline)
    try:
        return fn(*args, **kwargs)
    except _Overdue:
        raise DeadlineExceeded(_deadline_message(deadline)) from None
    except MemoryError:
        raise TooLarge(
            "This input needs more memory than one brief may use"
            + (f" ({memory_mb:,} MB, bot.worker_memory_mb)." if memory_mb else "."),
            hint="Try a smaller file or a shorter thread.",
        ) from None
    finally:
        if deadline:
            signal.setitimer(signal.ITIMER_REAL, 0)
        Path(marker).unlink(missing_ok=True)


def _deadline_message(deadline: float | None) -> str:
    return (
        f"This brief took longer than the {deadline or 0:g} s one brief may take "
        "(bot.job_deadline), and was stopped."
    )


@dataclass(eq=False)
class _Task:
    number: int
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    deadline: float | None
    outer: Future[Any]
    runs: int = 0
    overdue: bool = False
    timer: threading.Timer | None = field(default=None, repr=False)


class _Slot:
    """One ProcessPoolExecutor and its generation, replaced as a whole when it breaks."""

    def __init__(self, make: Callable[[], ProcessPoolExecutor]) -> None:
        self.make = make
        self.pool: ProcessPoolExecutor | None = None
        self.generation = 0


class WorkerPool(Executor):
    """An Executor of worker processes that survives its workers (see the module's notes).

    Which task killed a worker is not knowable when several ran in the broken pool (all of
    their workers are stopped with it), so every task that had started there runs again in a
    one-worker "retry" pool, one at a time: a task that breaks that pool is the culprit, for
    sure, and only its caller gets `WorkerLost`. Tasks that had not started yet do not count.
    """

    def __init__(
        self,
        workers: int,
        *,
        memory_mb: int | None = None,
        deadline: float | None = None,
        grace: float = GRACE,
        warm_up: Callable[[], None] | None = None,
    ) -> None:
        self.workers = workers
        self.memory_mb = memory_mb
        self.deadline = deadline
        self.grace = grace
        self._warm_up = warm_up
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)
        self._markers = Path(tempfile.mkdtemp(prefix="threadbrief-workers-"))
        self._closed = False
        self.replaced = 0
        """Pools built after a breakage (for logs and tests)."""
        self._main = _Slot(lambda: self._new_pool(self.workers))
        self._retry = _Slot(lambda: self._new_pool(1))
        self._main.pool = self._main.make()

    def _new_pool(self, workers: int) -> ProcessPoolExecutor:
        # "spawn": forking a process that runs discord.py's loop and heartbeat thread is unsafe.
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(os.getpid(), self.memory_mb, self._warm_up),
        )

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        return self.submit_within(self.deadline, fn, *args, **kwargs)

    def submit_within(
        self, deadline: float | None, fn: Callable[..., T], /, *args: Any, **kwargs: Any
    ) -> Future[T]:
        """`submit`, with this task's own deadline in seconds (None: no deadline)."""
        outer: Future[T] = Future()
        task = _Task(next(self._numbers), fn, args, kwargs, deadline, outer)
        self._start(task)
        return outer

    def _marker(self, task: _Task) -> Path:
        return self._markers / f"task-{task.number}"

    def _start(self, task: _Task) -> None:
        slot = self._main if task.runs == 0 else self._retry
        for _ in range(3):
            with self._lock:
                if self._closed:
                    raise RuntimeError("cannot schedule new futures after shutdown")
                if slot.pool is None:
                    slot.pool = slot.make()
                pool, generation = slot.pool, slot.generation
            try:
                inner = pool.submit(
                    _run_task,
                    task.fn,
                    task.args,
                    task.kwargs,
                    task.deadline,
                    str(self._marker(task)),
                    self.memory_mb,
                )
            except BrokenProcessPool:
                self._replace(slot, generation)  # broken before this task reached it
                continue
            break
        else:
            self._settle(task, exception=WorkerLost(_lost_message()))
            return
        if task.deadline:
            self._arm(task, task.deadline + self.grace)
        inner.add_done_callback(lambda done: self._finished(task, slot, generation, done))

    def _arm(self, task: _Task, delay: float) -> None:
        task.timer = threading.Timer(max(0.05, delay), self._overdue, (task,))
        task.timer.daemon = True
        task.timer.start()

    def _finished(self, task: _Task, slot: _Slot, generation: int, inner: Future[Any]) -> None:
        if task.timer is not None:
            task.timer.cancel()
        if inner.cancelled():
            task.outer.cancel()
            return
        error = inner.exception()
        if not isinstance(error, BrokenProcessPool):
            self._settle(task, result=None if error else inner.result(), exception=error)
            return
        self._replace(slot, generation)
        marker = self._marker(task)
        started = marker.exists()  # a killed worker never removes its task's marker
        marker.unlink(missing_ok=True)
        if task.overdue:
            self._settle(task, exception=DeadlineExceeded(_deadline_message(task.deadline)))
            return
        if started:
            task.runs += 1
        if task.runs >= 2 or task.outer.cancelled():
            # It broke the one-worker retry pool while running alone there: it is the culprit.
            self._settle(task, exception=WorkerLost(_lost_message()))
            return
        try:
            self._start(task)
        except RuntimeError:
            self._settle(task, exception=WorkerLost(_lost_message()))

    @staticmethod
    def _settle(task: _Task, *, result: Any = None, exception: BaseException | None = None) -> None:
        try:
            if exception is not None:
                task.outer.set_exception(exception)
            else:
                task.outer.set_result(result)
        except InvalidStateError:
            pass  # the caller cancelled it

    def _replace(self, slot: _Slot, generation: int) -> None:
        """Build a new pool for `slot` unless another task already replaced the broken one."""
        with self._lock:
            if generation != slot.generation or self._closed:
                return
            old, slot.pool = slot.pool, slot.make()
            slot.generation += 1
            self.replaced += 1
        if old is not None:
            old.shutdown(wait=False, cancel_futures=False)

    def _overdue(self, task: _Task) -> None:
        """Kill the task's worker if it is past its deadline and grace (stuck in C code).

        The deadline counts from the task's start in its worker (the marker it writes), not from
        its submission, so a worker's start-up or a queue is never counted against a task.
        """
        if task.outer.done() or task.deadline is None:
            return
        try:
            pid_text, started_text = (self._markers / f"task-{task.number}").read_text().split()
            pid, started = int(pid_text), float(started_text)
        except (OSError, ValueError):
            self._arm(task, self.grace)  # not started yet (or just finished): look again
            return
        late = started + task.deadline + self.grace - time.time()
        if late > 0:
            self._arm(task, late)
            return
        task.overdue = True
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._closed = True
            pools = [slot.pool for slot in (self._main, self._retry) if slot.pool is not None]
        for pool in pools:
            pool.shutdown(wait=wait, cancel_futures=cancel_futures)
        shutil.rmtree(self._markers, ignore_errors=True)


def _lost_message() -> str:
    return (
        "The worker making this brief stopped before it finished (it was killed, or ran out of "
        "memory), twice: this input is too heavy to brief."
    )
