"""A digest as Discord message payloads (plain dicts in Discord's JSON form).

One message when it fits; Discord allows 10 embeds and 6,000 embed characters per message, so a
long digest is split, each message saying which part it is. Payloads are plain data so the outbox
can store them before posting and post exactly them after a restart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.brief import DigestEntry
from bot.render.embeds import Embed, embed_size
from bot.render.markdown import (
    EMBEDS_PER_MESSAGE,
    MESSAGE_TOTAL_LIMIT,
    TITLE_LIMIT,
    http_url,
    safe,
)

MARKER_ROOM = 80
"""Characters kept free in every message for the footer's part number and outbox reference."""
SUMMARY_BUDGET = 420
VIEWPOINT_BUDGET = 220
COLOUR = 0x5865F2

Payload = dict[str, Any]


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'s' if n != 1 else ''}"


def entry_embed(entry: DigestEntry) -> Embed:
    lines = []
    per = max(140, SUMMARY_BUDGET // max(1, len(entry.summary)))
    for sentence in entry.summary:
        lines.append(safe(sentence, per))
    summary = " ".join(lines) or "*No article text in the feed.*"
    tail = [f"💬 {_plural(entry.comments, 'comment')}"] if entry.comments else []
    for v in entry.viewpoints:
        quote = v.headline
        said = f"“{safe(quote.text, VIEWPOINT_BUDGET)}”" if quote else safe(v.label, 60)
        who = f" — {safe(quote.author, 40)}" if quote and quote.author else ""
        side = f" ({v.side})" if v.side else ""
        tail.append(f"**{v.share:.0%}**{side} {said}{who}")
    embed: Embed = {
        "title": safe(entry.title, TITLE_LIMIT),
        "description": "\n".join([summary, *tail]),
        "color": COLOUR,
    }
    if (url := http_url(entry.link)) is not None:
        embed["url"] = url
    if entry.published is not None:
        embed["timestamp"] = entry.published.isoformat()
    return embed


def digest_messages(
    source_title: str | None, entries: Sequence[DigestEntry], *, more: int = 0
) -> list[Payload]:
    """The messages of one digest, in posting order."""
    groups: list[list[Embed]] = [[]]
    used = 0
    for entry in entries:
        embed = entry_embed(entry)
        size = embed_size(embed)
        group = groups[-1]
        if group and (
            len(group) >= EMBEDS_PER_MESSAGE or used + size > MESSAGE_TOTAL_LIMIT - MARKER_ROOM
        ):
            groups.append([])
            used = 0
        groups[-1].append(embed)
        used += size
    name = safe(source_title or "your feed", 200)
    headline = f"**{name}**: {_plural(len(entries), 'new item')}"
    if more:
        headline += f" ({more:,} more in the next digest)"
    messages: list[Payload] = []
    for index, group in enumerate(groups):
        part = f" · part {index + 1}/{len(groups)}" if len(groups) > 1 else ""
        if group:
            group[-1]["footer"] = {"text": f"ThreadBrief digest{part}"}
        content = headline if index == 0 else f"**{name}** (continued{part})"
        messages.append({"content": content, "embeds": group})
    return messages


def nothing_new(source_title: str | None) -> Payload:
    name = safe(source_title or "your feed", 200)
    return {"content": f"**{name}**: nothing new since the last digest.", "embeds": []}


def with_marker(payload: Payload, marker: str) -> Payload:
    """The payload with `marker` in its last footer (or content), to find it again after a crash,
    and as its nonce: sent again within Discord's few minutes (a crash between the post and its
    record), the post returns the message already made instead of making a second one."""
    embeds = [dict(e) for e in payload.get("embeds", [])]
    if embeds:
        footer = dict(embeds[-1].get("footer") or {"text": "ThreadBrief digest"})
        footer["text"] = f"{footer['text']} · ref {marker}"
        embeds[-1]["footer"] = footer
        return {**payload, "embeds": embeds, "nonce": marker}
    return {**payload, "content": f"{payload.get('content', '')}\n-# ref {marker}", "nonce": marker}


def has_marker(payload: Payload, marker: str) -> bool:
    needle = f"ref {marker}"
    if needle in str(payload.get("content") or ""):
        return True
    return any(needle in ((e.get("footer") or {}).get("text") or "") for e in payload["embeds"])
