"""A thread crosses between processes as one pickle, made once, and is rebuilt only where it
is briefed."""

from __future__ import annotations

import pickle

from bot.parcel import ThreadParcel, parcelled
from tests.threads import tram_thread


def test_a_parcel_in_one_process_holds_the_thread_itself() -> None:
    thread = tram_thread()
    parcel = parcelled(lambda: thread)
    assert parcel.open() is thread and parcel.data is None
    assert parcel.present_count == thread.present_count


def test_a_parcel_that_crossed_a_process_holds_bytes_and_opens_to_the_same_thread() -> None:
    thread = tram_thread()
    crossed = pickle.loads(pickle.dumps(ThreadParcel.of(thread)))
    assert crossed.thread is None and crossed.data is not None
    assert crossed.present_count == thread.present_count
    assert crossed.open() == thread


def test_handing_a_crossed_parcel_on_does_not_pickle_the_thread_again() -> None:
    crossed = pickle.loads(pickle.dumps(ThreadParcel.of(tram_thread())))
    again = pickle.loads(pickle.dumps(crossed))
    assert again.data == crossed.data
    # Its pickle is the bytes it carries and a few more: no second copy of the thread.
    assert crossed.data is not None and len(pickle.dumps(crossed)) < len(crossed.data) + 200
