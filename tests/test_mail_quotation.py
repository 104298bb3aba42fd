"""Where a reply's quotation starts: the Lotus Notes header found tail first, as one pattern would.

Reading the Notes header (`"Slein, Judith A" <js@example.com> on 11/01/99 10:01 AM`) as one
pattern tried its name's five words at every word of every body; the reader now finds the address
and date first and the name just before them. These tests hold it to the one pattern's answer on
bodies made of the pieces such headers are made of.
"""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.sources.mailinglist import _quotation_start, parse

ONE_PATTERN = re.compile(
    r"^(?:On\s.{0,200}?\b(?:wrote|writes):|.{0,120}\b(?:wrote|writes):\s*$|"
    r"In (?:message|article) <[^>\n]{1,200}>.{0,120}?\b(?:writes|wrote):|"
    r"From:\s.+\n(?:Sent|Date):)"
    r"|-{2,}\s*Original Message\s*-{2,}"
    r"|_{10,}\s*\n\s*From:\s"
    r"|\bFrom:\s[^\n]{1,120}?\s(?:Sent|Date):\s[^\n]{1,80}?\sTo:\s"
    r'|(?:"[^"\n]{1,80}"|\b[\w.\'-]{1,40}(?: [\w.\'-]{1,40}){0,4})\s{0,3}'
    r"<[^<>\s]{1,200}@[^<>\s]{1,200}>\s{1,9}on\s{1,9}"
    r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\s+\d{1,2}:\d{2}",
    re.MULTILINE | re.IGNORECASE,
)
"""The pattern the reader used before, the reference for where a quotation starts."""

PIECES = st.sampled_from(
    [
        "Judith",
        "Slein",
        '"Slein, Judith A"',
        " ",
        "  ",
        "\n",
        ",",
        ".",
        "<js@example.com>",
        "<a@b>",
        " on ",
        "ON",
        "11/01/99",
        " 10:01",
        "wrote:",
        "On Monday",
        "-----Original Message-----",
        "From: a",
        "Sent: b",
        "To: c",
        "The tram budget is too small",
        "x" * 45,
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=30).map("".join))
@example('Ok.\n"Slein, Judith A" <js@example.com> on 11/01/99 10:01:38 AM\nold text')
@example("I agree\n\nDana Keller <dk@example.org>  on 3/4/2001 9:15 wrote")
@example("<a@b> on 1/1/1 1:11" * 3)
@example("a" * 10 + " --Original Message-- " + "b" * 40 + " " + "c" * 40 + " <a@b> on 1/1/1 1:11")
def test_a_quotation_starts_where_the_one_pattern_said(body: str) -> None:
    found = ONE_PATTERN.search(body)
    assert _quotation_start(body) == (found.start() if found else None)


def test_a_notes_reply_keeps_only_its_own_words() -> None:
    archive = (
        "From a@example.org Mon Jan  1 00:00:00 2024\n"
        "From: Dana Keller <dk@example.org>\nSubject: Tram\nMessage-ID: <1@x>\n\n"
        "The tram should run at night. Buses are not enough.\n\n"
        "From b@example.org Mon Jan  1 01:00:00 2024\n"
        "From: Sam Roe <sr@example.org>\nSubject: Re: Tram\nMessage-ID: <2@x>\n"
        "In-Reply-To: <1@x>\n\n"
        "Night trams would cost too much for the few riders.\n\n"
        '"Keller, Dana" <dk@example.org> on 01/01/2024 00:00:00\n\n'
        "The tram should run at night.\n"
    )
    thread = parse(archive)
    reply = thread.comments[-1]
    assert reply.own_text().strip() == "Night trams would cost too much for the few riders."
