"""A thread on its way between processes: pickled once, carried through the bot as bytes.

A brief crosses the bot's process twice: the worker that parses a thread hands it back, and the
bot hands it to the worker that briefs it. Rebuilding a 20,000-comment thread in the bot's process
would allocate some 200,000 objects there, and the full garbage collection they set off holds the
event loop (and the heartbeat) for 40-70 ms (bench.speed, "event-loop stall"). Bytes are not
tracked by the collector and pass through whole. In one process (the CLI, tests) nothing is
pickled: the parcel holds the thread itself.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.thread import Thread


@dataclass(frozen=True, slots=True)
class ThreadParcel:
    """A thread (or its pickle, once it has crossed a process boundary) and its comment count."""

    thread: Thread | None
    data: bytes | None
    present_count: int
    """What the bot reads of the thread without opening it: the comment limit, the progress."""

    @classmethod
    def of(cls, thread: Thread) -> ThreadParcel:
        return cls(thread, None, thread.present_count)

    def open(self) -> Thread:
        """The thread: the one held, or unpickled here (in the worker that briefs it)."""
        if self.thread is not None:
            return self.thread
        assert self.data is not None
        thread: Thread = pickle.loads(self.data)
        return thread

    def __reduce__(self) -> tuple[Any, ...]:
        data = self.data
        if data is None:
            data = pickle.dumps(self.thread, protocol=pickle.HIGHEST_PROTOCOL)
        return (ThreadParcel, (None, data, self.present_count))


def parcelled(make: Callable[..., Thread], /, *args: Any) -> ThreadParcel:
    """`make(*args)`, parcelled: the form in which a worker returns a thread it made."""
    return ThreadParcel.of(make(*args))
