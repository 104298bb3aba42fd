"""The job runner, with its collaborators faked: an in-process transport and executor."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.errors import Busy, DeadlineExceeded, TooLarge
from bot.fetch import MockTransport, Request, Response
from bot.jobs import JobRunner, Lane, SourceRequest, Work
from bot.pipeline import BriefOptions
from tests.unit.fakes import InlineExecutor, PicklingExecutor, fetcher, runner

FIXTURES = Path(__file__).parent.parent / "fixtures"
TRAM = (FIXTURES / "tram-vote.txt").read_bytes()
PAGE = (FIXTURES / "wordpress-post.html").read_bytes()


def page_transport() -> MockTransport:
    """One blog post with comments, sent with an ETag and re-validated with 304."""

    def answer(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response.of(304, headers={"ETag": '"v1"'})
        return Response.of(200, PAGE, {"Content-Type": "text/html", "ETag": '"v1"'})

    return MockTransport(answer)


async def test_a_brief_of_an_upload_says_how_it_goes_and_answers() -> None:
    said: list[str] = []

    async def progress(text: str) -> None:
        said.append(text)

    jobs = runner(page_transport())
    brief, thread = await jobs.run(
        SourceRequest(data=TRAM, filename="tram.txt"), BriefOptions(), progress
    )
    assert brief.title == "Council approves the river tram after a long night"
    assert said == ["Reading tram.txt…", f"Reading {thread.present_count:,} comments…"]


async def test_a_link_is_read_once_then_revalidated_by_the_shared_fetcher() -> None:
    transport = page_transport()
    jobs = runner(transport)
    url = "https://blog.example/2024/05/library-hours/"
    first, _ = await jobs.run(SourceRequest(url=url), BriefOptions())
    second, _ = await jobs.run(SourceRequest(url=url), BriefOptions())
    assert first.summary == second.summary and first.summary
    assert [r.headers.get("If-None-Match") for r in transport.requests] == [None, '"v1"']


async def test_parsing_and_briefing_run_in_the_executor_not_on_the_loop() -> None:
    executor = InlineExecutor()
    jobs = JobRunner(executor, fetcher(page_transport()))
    await jobs.run(SourceRequest(url="https://blog.example/post/"), BriefOptions())
    # The page is parsed into a parcel, then the parcel is briefed: both steps in the executor.
    assert executor.ran == ["parcelled", "brief_parcel"]


async def test_the_bot_s_process_hands_the_thread_on_as_bytes_without_rebuilding_it() -> None:
    executor = PicklingExecutor()
    jobs = JobRunner(executor, fetcher(page_transport()))
    brief, parcel = await jobs.run(SourceRequest(data=TRAM, filename="tram.txt"), BriefOptions())
    assert parcel.thread is None and parcel.data  # what came back from the worker: bytes
    assert parcel.present_count == parcel.open().present_count > 0
    inline_brief, _ = await runner(page_transport()).run(SourceRequest(data=TRAM), BriefOptions())
    assert brief == inline_brief


async def test_a_thread_over_the_comment_limit_is_refused_naming_the_setting() -> None:
    jobs = runner(page_transport(), max_comments=1)
    with pytest.raises(TooLarge, match=r"briefs at most 1\b.*") as refused:
        await jobs.run(SourceRequest(data=TRAM), BriefOptions())
    assert "bot.max_comments" in (refused.value.hint or "")


async def test_a_link_that_never_answers_ends_at_the_job_deadline() -> None:
    async def never(_: Request) -> Response:
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    jobs = runner(MockTransport(never), deadline=0.2)
    with pytest.raises(DeadlineExceeded, match=r"longer than the 0\.2 s one brief may take"):
        await jobs.run(SourceRequest(url="https://slow.example/"), BriefOptions())


async def test_a_second_brief_within_the_cooldown_is_told_when_to_retry() -> None:
    now = [100.0]
    jobs = JobRunner(InlineExecutor(), fetcher(page_transport()), cooldown=20, clock=lambda: now[0])
    jobs.claim(7)
    now[0] += 5
    with pytest.raises(Busy, match="5 s ago") as busy:
        jobs.claim(7)
    assert busy.value.hint == "Try again in 15 s."
    jobs.claim(8)  # another user is not held back


@dataclass(frozen=True)
class Gate:
    """A job that records when it starts and holds its slot until released."""

    name: str
    started: list[str]
    release: dict[str, asyncio.Event]

    async def run(self, work: Work) -> str:
        self.started.append(self.name)
        await self.release.setdefault(self.name, asyncio.Event()).wait()
        return self.name


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_waiting_users_brief_goes_before_waiting_digest_items() -> None:
    jobs = runner(page_transport(), max_jobs=1)
    started: list[str] = []
    gates: dict[str, asyncio.Event] = {n: asyncio.Event() for n in ("d1", "d2", "d3", "user")}
    said: list[str] = []

    async def progress(text: str) -> None:
        said.append(text)

    tasks = [
        asyncio.create_task(jobs.submit(Gate(n, started, gates), lane=Lane.DIGEST))
        for n in ("d1", "d2", "d3")
    ]
    await settle()
    user = asyncio.create_task(jobs.submit(Gate("user", started, gates), progress))
    await settle()
    assert started == ["d1"] and said == ["Waiting for a free slot: other briefs are being made…"]
    for name in ("d1", "user", "d2", "d3"):
        gates[name].set()
        await settle()
    assert await user == "user"
    assert await asyncio.gather(*tasks) == ["d1", "d2", "d3"]
    assert started == ["d1", "user", "d2", "d3"]


async def test_digests_keep_to_their_share_so_a_user_starts_at_once() -> None:
    jobs = runner(page_transport(), max_jobs=2, digest_jobs=1)
    started: list[str] = []
    gates: dict[str, asyncio.Event] = {n: asyncio.Event() for n in ("d1", "d2", "user")}
    digests = [
        asyncio.create_task(jobs.submit(Gate(n, started, gates), lane=Lane.DIGEST))
        for n in ("d1", "d2")
    ]
    await settle()
    user = asyncio.create_task(jobs.submit(Gate("user", started, gates)))
    await settle()
    assert started == ["d1", "user"]  # d2 waits: digests hold one slot of two
    for event in gates.values():
        event.set()
    await asyncio.gather(user, *digests)
    assert started == ["d1", "user", "d2"]


async def test_a_cancelled_wait_gives_its_turn_to_the_next() -> None:
    jobs = runner(page_transport(), max_jobs=1)
    started: list[str] = []
    gates: dict[str, asyncio.Event] = {n: asyncio.Event() for n in ("a", "b", "c")}
    first = asyncio.create_task(jobs.submit(Gate("a", started, gates)))
    await settle()
    second = asyncio.create_task(jobs.submit(Gate("b", started, gates)))
    third = asyncio.create_task(jobs.submit(Gate("c", started, gates)))
    await settle()
    second.cancel()
    gates["a"].set()
    gates["c"].set()
    assert await first == "a" and await third == "c"
    assert second.cancelled() and started == ["a", "c"]
    assert jobs.slots.held == {Lane.USER: 0, Lane.DIGEST: 0}
