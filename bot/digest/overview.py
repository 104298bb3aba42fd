"""/digest list as a Discord embed (plain data): each digest's schedule, state and last result."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.digest.state import Subscription
from bot.render.embeds import Embed
from bot.render.markdown import FIELD_VALUE_LIMIT, FIELDS_LIMIT, MESSAGE_TOTAL_LIMIT, clip, safe


def relative_time(moment: datetime) -> str:
    """A moment as Discord shows it to each reader: "in 3 hours", in their own time."""
    return f"<t:{int(moment.timestamp())}:R>"


def describe(subscription: Subscription, room: int = 1000) -> tuple[str, str]:
    """A subscription as an embed field of at most `room` characters, name and value together.

    The schedule and the failure count come first; the last result gets what room is left.
    """
    name = f"#{subscription.id} · {clip(subscription.source, min(90, room // 4))}"
    state = "paused" if subscription.paused else f"next {relative_time(subscription.due_at)}"
    lines = [
        f"→ <#{subscription.channel_id}> · `{clip(subscription.schedule, 60)}` "
        f"({subscription.timezone}) · {state}"
    ]
    if subscription.failures:
        lines.append(
            f"⚠️ {subscription.failures} failure{'s' if subscription.failures != 1 else ''} "
            f"in a row; retrying {relative_time(subscription.due_at)}"
        )
    last_time = f" ({relative_time(subscription.last_run)})" if subscription.last_run else ""
    left = min(FIELD_VALUE_LIMIT, room - len(name)) - sum(len(x) + 1 for x in lines)
    budget = left - len("Last: ") - len(last_time)
    if budget >= 20:
        last = safe(subscription.last_result or "not run yet", budget)
        lines.insert(1, f"Last: {last}{last_time}")
    return name, "\n".join(lines)


def digest_list(subscriptions: Sequence[Subscription]) -> Embed:
    """A server's digests, as many as one embed holds, the rest counted in the footer."""
    embed: Embed = {"title": "Digests", "color": 0x5865F2}
    if not subscriptions:
        embed["description"] = "No digests yet. Add one with `/digest add`."
    shown = subscriptions[:FIELDS_LIMIT]
    # Discord refuses a message whose embeds hold more than 6,000 characters in all.
    room = (MESSAGE_TOTAL_LIMIT - 200) // max(1, len(shown))
    fields = []
    for subscription in shown:
        name, value = describe(subscription, room)
        fields.append({"name": name, "value": value, "inline": False})
    if fields:
        embed["fields"] = fields
    if len(subscriptions) > len(shown):
        embed["footer"] = {"text": f"{len(subscriptions) - len(shown)} more not shown"}
    return embed
