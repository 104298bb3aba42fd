"""Feeds written for the tests, served by a local aiohttp server that tests can edit and break."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

from aiohttp import web

from tests.localweb import serving

TOPICS = (
    ("tram line", "The council approved the new tram line after a long debate."),
    ("library hours", "The city library will open on Sundays from next month."),
    ("bike lanes", "Painted bike lanes on the high street are to become protected lanes."),
    ("school meals", "Schools will serve a free breakfast to every pupil this winter."),
    ("river cleanup", "Volunteers pulled two tonnes of rubbish from the river on Saturday."),
    ("night buses", "Night buses return to the eastern suburbs after a three-year gap."),
)
VIEWS = (
    "This is a waste of money that the city cannot afford this year.",
    "The cost is far too high and taxes will go up again for everyone.",
    "Finally some good news, this will help families a great deal.",
    "I am glad they did it, my children will benefit from it every day.",
)


@dataclass(frozen=True)
class Entry:
    number: int
    published: datetime
    guid: str = ""
    title: str = ""
    body: str = ""
    comments: int = 4

    @property
    def link_path(self) -> str:
        return f"/news/{self.number}"


def entry(number: int, published: datetime, **changes: object) -> Entry:
    topic, lead = TOPICS[number % len(TOPICS)]
    body = (
        f"{lead} Officials said the work on the {topic} starts in spring. "
        f"Residents asked questions about the {topic} at a public meeting. "
        f"The plan for the {topic} will be reviewed again next year."
    )
    base = Entry(number, published, f"item-{number}", f"Story {number}: the {topic}", body)
    return replace(base, **changes)  # type: ignore[arg-type]


@dataclass
class FeedSite:
    """A news site with an RSS feed and a comment feed per item."""

    entries: list[Entry] = field(default_factory=list)
    base: str = ""
    name: str = "Story"
    """Starts each title: two sites with different names publish different stories."""
    failing: bool = False
    requests: int = 0

    def add(self, count: int, start: datetime) -> list[Entry]:
        first = len(self.entries) + 1
        added = [
            entry(
                n,
                start + timedelta(minutes=n),
                title=f"{self.name} {n}: the {TOPICS[n % len(TOPICS)][0]}",
            )
            for n in range(first, first + count)
        ]
        self.entries.extend(added)
        return added

    def rss(self) -> bytes:
        items = []
        for e in self.entries:
            items.append(
                f"""<item><title>{escape(e.title)}</title><link>{self.base}{e.link_path}</link>
<guid isPermaLink="false">{escape(e.guid)}</guid>
<pubDate>{format_datetime(e.published)}</pubDate>
<description>{escape(e.body)}</description>
<wfw:commentRss>{self.base}/comments/{e.number}.xml</wfw:commentRss>
<slash:comments>{e.comments}</slash:comments></item>"""
            )
        return (
            '<?xml version="1.0"?><rss version="2.0" '
            'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
            'xmlns:slash="http://purl.org/rss/1.0/modules/slash/"><channel>'
            f"<title>Riverside Gazette</title><link>{self.base}/</link>{''.join(items)}"
            "</channel></rss>"
        ).encode()

    def comments_rss(self, number: int) -> bytes:
        found = next((e for e in self.entries if e.number == number), None)
        count = found.comments if found else 0
        items = "".join(
            f"<item><title>Comment {n}</title><guid>c-{number}-{n}</guid>"
            f"<dc:creator>Reader {n}</dc:creator>"
            f"<description>{escape(VIEWS[n % len(VIEWS)])}</description></item>"
            for n in range(count)
        )
        return (
            '<?xml version="1.0"?><rss version="2.0" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Comments</title>'
            f"{items}</channel></rss>"
        ).encode()


@asynccontextmanager
async def serve(site: FeedSite) -> AsyncIterator[FeedSite]:
    async def feed(request: web.Request) -> web.Response:
        site.requests += 1
        if site.failing:
            return web.Response(status=503, text="down for maintenance")
        return web.Response(body=site.rss(), content_type="application/rss+xml")

    async def comments(request: web.Request) -> web.Response:
        number = int(request.match_info["n"])
        return web.Response(body=site.comments_rss(number), content_type="application/rss+xml")

    async def page(request: web.Request) -> web.Response:
        return web.Response(
            text="<html><body><p>A story.</p></body></html>", content_type="text/html"
        )

    app = web.Application()
    app.router.add_get("/feed.xml", feed)
    app.router.add_get("/comments/{n}.xml", comments)
    app.router.add_get("/news/{n}", page)
    async with serving(app) as base:
        site.base = base
        yield site
