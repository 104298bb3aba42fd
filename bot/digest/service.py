"""Running a digest: read the source, keep the new items, plan the messages, deliver them.

Every run goes through the outbox (`bot.digest.state`), so a crash at any point loses and
duplicates nothing. Discord is reached through a `Poster`, which the cog implements with
discord.py and tests can replace; failures of a source are retried with backoff and reported
once to the channel after `notify_after` failures in a row.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.brief import DigestEntry
from bot.clock import Clock
from bot.digest.items import BriefCandidate, Candidate, Candidates, ReadCandidates
from bot.digest.schedule import Schedule, parse_schedule
from bot.digest.state import DigestState, OutboxRow, PlannedMessage, Subscription
from bot.errors import BadInput, PayloadRefused, PostRejected, ThreadBriefError
from bot.jobs import Jobs, Lane
from bot.pipeline import BriefOptions
from bot.render.digest import Payload, digest_messages, nothing_new, with_marker
from bot.render.markdown import clip, safe

log = logging.getLogger("threadbrief.digest")

MAX_DOUBLINGS = 16
"""Retry delays double up to this many times (then `longest_retry` holds anyway)."""


class Poster(Protocol):
    async def post(self, channel_id: int, payload: Payload) -> int:
        """Post and return the message id; raise PostRejected when retrying cannot help."""
        ...

    async def find(self, channel_id: int, marker: str) -> int | None:
        """The id of a recent message of the bot that carries `marker`, if there is one."""
        ...

    def problem(self, channel_id: int) -> str | None:
        """Why the bot cannot post digests in the channel, or None."""
        ...


@dataclass(frozen=True, slots=True)
class DigestSettings:
    items: int = 10
    """Items per digest; newer ones first, the rest wait for the next digest."""
    subscriptions: int = 10
    """Subscriptions per server."""
    notify_after: int = 3
    first_retry: timedelta = timedelta(minutes=5)
    longest_retry: timedelta = timedelta(hours=6)
    brief: BriefOptions = field(
        default_factory=lambda: BriefOptions(sentences=2, viewpoints=2, quotes=1)
    )


@dataclass(frozen=True, slots=True)
class Plan:
    source_title: str | None
    entries: tuple[DigestEntry, ...]
    messages: tuple[PlannedMessage, ...]
    more: int


@dataclass(frozen=True, slots=True)
class RunResult:
    items: int
    messages: int
    more: int
    summary: str
    ok: bool = True
    elsewhere: bool = False
    """Another process holds this digest (a shared PostgreSQL): it runs it, not this one."""


def destined(
    subscription: Subscription, plan: Plan, messages: Sequence[PlannedMessage]
) -> list[PlannedMessage]:
    """The messages with what their destination needs: a forum post's name and tag (the first
    part opens the post, the others follow inside it), or the wish to publish them."""
    name = plan.source_title or "Digest"
    n = len(plan.entries)
    title = clip(f"{name}: {n} new item{'s' if n != 1 else ''}" if n else name, 100)
    out = []
    for index, message in enumerate(messages):
        extra: dict[str, object] = {"post_name": title}
        if index:
            extra["continues"] = True
        if subscription.forum_tag is not None:
            extra["applied_tags"] = [subscription.forum_tag]
        if subscription.publish:
            extra["publish"] = True
        out.append(PlannedMessage({**message.payload, **extra}, message.keys))
    return out


def schedule_of(subscription: Subscription) -> Schedule:
    return parse_schedule(subscription.schedule, subscription.timezone)


def resumed_run(subscription: Subscription, now: datetime) -> datetime:
    """When a digest resumed at `now` runs next: its schedule's next time, kept on the times it
    was created on ("every 6h" from its creation), not at once for the runs it missed paused."""
    return schedule_of(subscription).next_after(now, anchor=subscription.created_at)


class DigestService:
    def __init__(
        self,
        state: DigestState,
        poster: Poster,
        jobs: Jobs,
        clock: Clock,
        settings: DigestSettings | None = None,
        on_result: Callable[[bool, int], None] | None = None,
    ) -> None:
        self.on_result = on_result
        """Told (ok, messages posted) after every run: the bot's metrics listen here."""
        self.state = state
        self.poster = poster
        self.jobs = jobs
        """Reads and briefs go here, in the digests' lane: a user's brief is never behind them."""
        self.clock = clock
        self.settings = settings or DigestSettings()
        self._locks: dict[int, asyncio.Lock] = {}

    # -- commands -----------------------------------------------------------------------------

    async def subscribe(
        self,
        *,
        guild_id: int,
        channel_id: int,
        source: str,
        schedule: str,
        timezone: str,
        created_by: int | None,
        post_empty: bool = False,
        forum_tag: int | None = None,
        publish: bool = False,
    ) -> tuple[Subscription, int]:
        """Validate everything a user gave, then store the subscription.

        The items the source offers now, except the newest `items`, are marked as seen: the first
        digest brings the latest news, not the whole archive. Returns how many items it will hold.
        """
        parsed = parse_schedule(schedule, timezone)
        if (problem := self.poster.problem(channel_id)) is not None:
            raise BadInput(
                problem, hint="Give me those permissions there, or pick another channel."
            )
        candidates = await self._read(source)
        now = self.clock.now()
        subscription = await self.state.add(
            guild_id=guild_id,
            channel_id=channel_id,
            source=source,
            schedule=parsed.text,
            timezone=timezone,
            created_by=created_by,
            now=now,
            next_run=parsed.next_after(now, anchor=now + (parsed.interval or timedelta())),
            limit=self.settings.subscriptions,
            post_empty=post_empty,
            forum_tag=forum_tag,
            publish=publish,
        )
        fresh = await self._new_items(subscription, candidates)
        older = fresh[self.settings.items :]
        if older:
            await self.state.mark_seen(subscription, [k for c in older for k in c.keys], now)
        return subscription, min(len(fresh), self.settings.items)

    async def preview(self, subscription: Subscription) -> Plan:
        """What the next digest would post, without claiming anything."""
        return await self._compose(subscription, await self._read(subscription.source))

    # -- runs ---------------------------------------------------------------------------------

    async def run(self, subscription: Subscription) -> RunResult:
        """One digest now. Never raises for a source or Discord problem: it records it.

        Only the process holding the subscription (`StateStore.exclusive`) runs it, and a run
        asked because it was due is skipped once it no longer is (another process ran it).
        """
        lock = self._locks.setdefault(subscription.id, asyncio.Lock())
        async with lock, self.state.store.exclusive(subscription.id) as mine:
            if not mine:
                log.info("digest %s: another process is running it", subscription.id)
                return RunResult(
                    0, 0, 0, "Another instance of the bot is running it now", elsewhere=True
                )
            current = await self.state.by_id(subscription.id)
            if current is None:
                return RunResult(0, 0, 0, "This digest was removed.", ok=False)
            if subscription.due_at <= self.clock.now() < current.due_at:
                return RunResult(0, 0, 0, "It has just run")
            result = await self._run(current)
        if self.on_result is not None:
            self.on_result(result.ok, result.messages)
        return result

    async def _run(self, subscription: Subscription) -> RunResult:
        now = self.clock.now()
        next_run = None
        if subscription.next_run <= now:
            next_run = schedule_of(subscription).next_after(now, anchor=subscription.created_at)
        try:
            await self._deliver(await self.state.unsent(subscription.id))
            plan = await self._compose(subscription, await self._read(subscription.source))
            messages = list(plan.messages)
            if not messages and subscription.post_empty:
                messages = [PlannedMessage(nothing_new(plan.source_title), ())]
            messages = destined(subscription, plan, messages)
            await self._deliver(await self.state.plan(subscription, messages, now))
        except ThreadBriefError as error:  # the source's, or Discord's refusal (PostRejected)
            return await self._failed(subscription, now, next_run, error.user_message())
        except self.state.store.errors:
            raise  # the database, not the source: the scheduler holds the digest back and says so
        except Exception:
            log.exception("digest %s failed", subscription.id)
            reason = "Discord or the source did not answer as expected; retrying later."
            return await self._failed(subscription, now, next_run, reason)
        n = len(plan.entries)
        summary = (
            f"Posted {n} new item{'s' if n != 1 else ''}"
            + (f" in {len(plan.messages)} messages" if len(plan.messages) > 1 else "")
            + (f"; {plan.more} more next time" if plan.more else "")
            if n
            else "Nothing new"
        )
        await self.state.record_success(subscription.id, now, summary, next_run)
        return RunResult(n, len(messages), plan.more, summary)

    async def _failed(
        self, subscription: Subscription, now: datetime, next_run: datetime | None, reason: str
    ) -> RunResult:
        failures = subscription.failures + 1
        # The exponent is capped: a source failing for weeks must not overflow timedelta.
        doublings = min(failures - 1, MAX_DOUBLINGS)
        delay = min(self.settings.first_retry * 2**doublings, self.settings.longest_retry)
        await self.state.record_failure(
            subscription.id, now, f"Failed: {reason}", now + delay, next_run
        )
        if failures >= self.settings.notify_after and not subscription.failure_notified:
            notice = {
                "content": (
                    f"⚠️ The digest of <{safe(subscription.source, 300)}> has failed "
                    f"{failures} times in a row: {safe(reason, 400)} It keeps retrying; server "
                    "admins can check `/digest list` or remove it with `/digest remove`."
                ),
                "embeds": [],
            }
            try:
                await self.poster.post(subscription.channel_id, notice)
            except Exception:
                log.warning("could not tell channel %s about failures", subscription.channel_id)
            await self.state.set_notified(subscription.id)
        return RunResult(0, 0, 0, f"Failed: {reason}", ok=False)

    async def resume(self) -> int:
        """Deliver what a crashed run left in the outbox; returns how many messages it posted."""
        delivered = 0
        rows = await self.state.unsent()
        by_subscription: dict[int, list[OutboxRow]] = {}
        for row in rows:
            by_subscription.setdefault(row.subscription_id, []).append(row)
        for subscription_id in by_subscription:
            async with (
                self._locks.setdefault(subscription_id, asyncio.Lock()),
                self.state.store.exclusive(subscription_id) as mine,
            ):
                if not mine:
                    continue  # another process runs it, outbox included
                try:
                    # Read again under the lock: a process that had it may have sent some.
                    delivered += await self._deliver(await self.state.unsent(subscription_id))
                except Exception:
                    log.warning("digest %s: could not resume its outbox yet", subscription_id)
        return delivered

    async def _deliver(self, rows: Sequence[OutboxRow]) -> int:
        posted = 0
        for row in rows:
            fence = row.subscription_id
            if row.status == "sending":
                found = await self.poster.find(row.channel_id, row.marker)
                if found is not None:
                    await self.state.mark_sent(row.id, found, fence=fence)
                    continue
            await self.state.mark_sending(row.id, self.clock.now(), fence=fence)
            try:
                message_id = await self.poster.post(
                    row.channel_id, with_marker(row.payload, row.marker)
                )
            except PayloadRefused as error:
                await self._drop(row, str(error))
                continue
            except PostRejected:
                await self.state.release(row.id, fence=fence)
                raise
            await self.state.mark_sent(row.id, message_id, fence=fence)
            posted += 1
        return posted

    async def _drop(self, row: OutboxRow, reason: str) -> None:
        """Give up one refused message for good, and say so in its channel."""
        log.error(
            "digest %s: Discord refused outbox row %s: %s", row.subscription_id, row.id, reason
        )
        await self.state.drop(row.id, fence=row.subscription_id)
        notice = {
            "content": (
                f"⚠️ Discord refused one digest message ({safe(reason, 300)}), so it was "
                "skipped; its items will not be posted again. Server admins can see the digest "
                "with `/digest list`."
            ),
            "embeds": [],
        }
        try:
            await self.poster.post(row.channel_id, notice)
        except PostRejected:
            log.warning("could not tell channel %s about a refused digest", row.channel_id)

    # -- reading ------------------------------------------------------------------------------

    async def _read(self, source: str) -> Candidates:
        return await self.jobs.submit(ReadCandidates(source), lane=Lane.DIGEST)

    async def _new_items(
        self, subscription: Subscription, candidates: Candidates
    ) -> list[Candidate]:
        all_keys = {k for c in candidates.items for k in c.keys}
        seen = await self.state.seen(subscription.channel_id, all_keys)
        fresh: list[Candidate] = []
        for candidate in candidates.items:
            if seen.isdisjoint(candidate.keys):
                fresh.append(candidate)
                seen.update(candidate.keys)
        dated = sorted(
            (c for c in fresh if c.published is not None),
            key=lambda c: c.published,  # type: ignore[arg-type, return-value]
            reverse=True,
        )
        return dated + [c for c in fresh if c.published is None]

    async def _compose(self, subscription: Subscription, candidates: Candidates) -> Plan:
        fresh = await self._new_items(subscription, candidates)
        take = fresh[: self.settings.items]
        entries = await asyncio.gather(
            *(
                self.jobs.submit(
                    BriefCandidate(c, candidates.feed, self.settings.brief), lane=Lane.DIGEST
                )
                for c in take
            )
        )
        more = len(fresh) - len(take)
        if not entries:
            return Plan(candidates.source_title, (), (), more)
        payloads = digest_messages(candidates.source_title, entries, more=more)
        messages: list[PlannedMessage] = []
        offset = 0
        for payload in payloads:
            count = len(payload["embeds"])
            keys = tuple(k for e in entries[offset : offset + count] for k in e.keys)
            messages.append(PlannedMessage(payload, keys))
            offset += count
        return Plan(candidates.source_title, tuple(entries), tuple(messages), more)
