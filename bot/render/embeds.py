"""The brief as Discord embeds, within every Discord limit, for any thread size.

Embeds are plain data in Discord's JSON form (`{"title": …, "fields": [{"name": …}]}`): the
core never imports discord.py, and the cogs make `discord.Embed.from_dict` of them at the edge.
Thread text is untrusted: every piece of it goes through `bot.render.markdown.safe`, and posts
are sent with `allowed_mentions` none besides (see cogs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.brief import Brief, Quote, Viewpoint
from bot.render.counts import counts_line
from bot.render.markdown import (
    AUTHOR_LIMIT,
    DESCRIPTION_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_LIMIT,
    FOOTER_LIMIT,
    MESSAGE_TOTAL_LIMIT,
    TITLE_LIMIT,
    clip,
    http_url,
    safe,
)


def _viewpoint_field(v: Viewpoint, budget: int) -> tuple[str, str]:
    """Name: share, side and the key sentence; value: who said it, further quotes, key words."""
    size = f"{v.size} comment{'s' if v.size != 1 else ''}"
    side = f"{v.side} · " if v.side else ""
    headline = v.headline
    point = f"“{safe(headline.text, 180)}”" if headline else safe(v.label, 120)
    name = f"{v.share:.0%} · {side}{point} ({size})"
    budget = min(budget, FIELD_VALUE_LIMIT) - 10
    lines: list[str] = []
    if headline is not None:
        who = f"— {safe(headline.author, 60)}" if headline.author else "—"
        link = f" [↗]({url})" if (url := http_url(headline.url)) and len(url) < 300 else ""
        lines.append(f"{who}{link}" if headline.author or link else "")
    further = v.quotes[1:]
    per_quote = max(120, budget // max(1, len(further) + 1) - 80)
    for q in further:
        who = f" — {safe(q.author, 60)}" if q.author else ""
        link = f" [↗]({url})" if (url := http_url(q.url)) and len(url) < 300 else ""
        line = f"> “{safe(q.text, per_quote)}”{who}{link}"
        if sum(len(x) + 1 for x in lines) + len(line) > budget - 80:
            break
        lines.append(line)
    if headline is not None and v.label:
        lines.append(f"*{safe(v.label, 70)}*")
    return name, "\n".join(x for x in lines if x) or "—"


Embed = dict[str, Any]
"""One embed in Discord's JSON form."""


def embed_size(embed: Embed) -> int:
    """Characters Discord counts against the 6,000 of a message's embeds: title, description,
    field names and values, footer text and author name."""
    fields = embed.get("fields") or ()
    return (
        len(embed.get("title") or "")
        + len(embed.get("description") or "")
        + sum(len(f.get("name") or "") + len(f.get("value") or "") for f in fields)
        + len((embed.get("footer") or {}).get("text") or "")
        + len((embed.get("author") or {}).get("name") or "")
    )


@dataclass(frozen=True, slots=True)
class Pages:
    """The brief split into embeds; page 0 carries the summary, every page some viewpoints."""

    embeds: tuple[Embed, ...]

    def __len__(self) -> int:
        return len(self.embeds)


def brief_pages(brief: Brief, *, per_page: int = 5, colour: int = 0x5865F2) -> Pages:
    """Embeds of at most `per_page` viewpoints each, every one within Discord's limits."""
    per_page = max(1, min(per_page, FIELDS_LIMIT - 1))
    chunks = [brief.viewpoints[i : i + per_page] for i in range(0, len(brief.viewpoints), per_page)]
    chunks = chunks or [()]
    title = safe(brief.title or "Discussion brief", TITLE_LIMIT)
    byline = " · ".join(x for x in (brief.author, brief.site) if x)
    url = http_url(brief.url)
    embeds: list[Embed] = []
    for index, chunk in enumerate(chunks):
        embed: Embed = {"title": title, "color": colour}
        if url is not None:
            embed["url"] = url
        if byline:
            embed["author"] = {"name": safe(byline, AUTHOR_LIMIT)}
        description = _description(brief) if index == 0 else safe(counts_line(brief), 300)
        if index == 0 and (sides := brief.sides().line()) is not None:
            description = clip(f"{description}\n\n**{sides}**", DESCRIPTION_LIMIT)
        embed["description"] = description
        room = MESSAGE_TOTAL_LIMIT - embed_size(embed) - 300
        fields = []
        for v in chunk:
            name, value = _viewpoint_field(v, room // len(chunk) - 150)
            fields.append({"name": name, "value": value, "inline": False})
        if fields:
            embed["fields"] = fields
        footer = f"{brief.algorithm} · page {index + 1}/{len(chunks)}"
        if brief.unclassified:
            footer += f" · {len(brief.unclassified)} short comments not grouped"
        embed["footer"] = {"text": footer[:FOOTER_LIMIT]}
        _fit(embed)
        embeds.append(embed)
    return Pages(tuple(embeds))


def _said(timeline: tuple[Quote, ...], budget: int) -> list[str]:
    """Key sentences with who said them and a link to each, as many as fit."""
    lines: list[str] = []
    for q in timeline:
        who = f"**{safe(q.author, 40)}**: " if q.author else ""
        link = f" [↗]({url})" if (url := http_url(q.url)) and len(url) < 300 else ""
        line = f"• {who}{safe(q.text, 300)}{link}"
        if budget - len(line) < 0:
            lines.append(f"*… {len(timeline) - len(lines)} more lines*")
            break
        budget -= len(line) + 1
        lines.append(line)
    return lines


def _description(brief: Brief) -> str:
    head = f"**{safe(counts_line(brief), 500)}**"
    if brief.summary:
        lines = [head, "", "**What the article says**"]
        budget = 2000
        per = max(240, budget // len(brief.summary))
        shown = 0
        for sentence in brief.summary:
            line = f"• {safe(sentence, per)}"
            if budget - len(line) < 0:
                break
            budget -= len(line) + 1
            lines.append(line)
            shown += 1
        if shown < len(brief.summary):
            lines.append(f"*… {len(brief.summary) - shown} more sentences*")
    elif brief.timeline:
        lines = [head, "", "**What was said**", *_said(brief.timeline, 1800)]
    elif brief.title is None:
        lines = [head, "", "No article: a brief of the discussion."]
    else:
        lines = [head]
    if brief.source == "discord" and brief.counts.most_active:
        people = ", ".join(f"{safe(a, 40)} ({n})" for a, n in brief.counts.most_active)
        lines += ["", f"**Who took part**: {brief.counts.authors} people; most active: {people}"]
    if not brief.viewpoints:
        lines += [
            "",
            "No comments to group."
            if not brief.counts.comments
            else "The comments are too short to tell viewpoints apart.",
        ]
    for note in brief.notes[:5]:
        lines.append(f"*{safe(note, 200)}*")
    text = "\n".join(lines)
    return text if len(text) <= DESCRIPTION_LIMIT else clip(text, DESCRIPTION_LIMIT)


def _fit(embed: Embed) -> None:
    """A last guard: budgets above keep every page under 6000 characters, this proves it."""
    if (size := embed_size(embed)) > MESSAGE_TOTAL_LIMIT:  # pragma: no cover - a budget bug
        raise AssertionError(f"embed of {size} characters exceeds Discord's limit")


def error_embed(message: str, *, reference: str | None = None) -> Embed:
    embed: Embed = {"description": safe(message, 1500), "color": 0xED4245}
    if reference:
        embed["footer"] = {"text": f"reference {reference}"}
    return embed
