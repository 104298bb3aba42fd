"""Mailing-list threads: who wrote what, with quoted replies and signatures set apart."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import BadInput
from bot.pipeline import make_brief
from bot.render.json import document
from bot.sources import read_bytes
from bot.sources.mailinglist import display_name, parse
from bot.thread import SpanKind


def one_line(*messages: tuple[str, str]) -> str:
    """The one-line form: messages joined by </s>, whitespace collapsed (5+ spaces = blank line)."""
    return "</s>".join(
        f'Name: "{name}"   Email: "{name.split()[0].lower()}@example.org"   To: list@example.org'
        f'   Subject: "Tram budget"      {body}'
        for name, body in messages
    )


THREAD = one_line(
    (
        "Roe, Jane",
        "Hello all,      Should the tram budget include a reserve for overruns?"
        "   Other cities had overruns of a third.      Kind regards,   Jane Roe",
    ),
    (
        "Tom Reyes",
        "Jane,      A reserve of ten percent is standard practice in our region."
        "      On Monday, Jane Roe wrote:   > Should the tram budget include a reserve?",
    ),
    ("Roe, Jane", "Thanks Tom.      Then the council should publish that reserve separately."),
)


def test_one_line_thread_reads_authors_and_bodies() -> None:
    thread = read_bytes(THREAD.encode())
    assert thread.source == "mailing-list"
    assert [c.author for c in thread.comments] == ["Jane Roe", "Tom Reyes", "Jane Roe"]
    assert thread.article is None


def test_quoted_reply_and_signature_are_not_the_writers_words() -> None:
    jane, tom, _ = read_bytes(THREAD.encode()).comments
    assert "Kind regards" not in jane.own_text() and "Should the tram budget" in jane.own_text()
    assert [s.kind for s in jane.spans] == [SpanKind.SIGNATURE]
    assert "wrote" not in tom.own_text() and "reserve?" not in tom.own_text()
    assert "ten percent" in tom.own_text()


def test_discussion_brief_says_who_said_what_in_order() -> None:
    brief = make_brief(read_bytes(THREAD.encode()))
    assert brief.summary == ()
    assert brief.title == "Tram budget"  # a discussion is titled by its subject
    # One line or more per message, in order; short threads get more than one line per message.
    messages = [q.comment_id for q in brief.timeline]
    in_order = [c for n, c in enumerate(messages) if n == 0 or messages[n - 1] != c]
    assert len(in_order) == 3
    authors = {q.comment_id: q.author for q in brief.timeline}
    assert [authors[c] for c in in_order] == ["Jane Roe", "Tom Reyes", "Jane Roe"]
    tom = [q.text for q in brief.timeline if q.author == "Tom Reyes"]
    assert tom[0] == "A reserve of ten percent is standard practice in our region."
    texts = {c.id: c.own_text() for c in read_bytes(THREAD.encode()).comments}
    assert all(q.text in texts[q.comment_id] for q in brief.timeline)


def mbox() -> bytes:
    out = []
    for i, (author, body, reply_to) in enumerate(
        [
            (
                "Jane Roe <jane@example.org>",
                "Should the tram budget have a reserve?\n\n-- \nJane",
                None,
            ),
            (
                "Tom Reyes <tom@example.org>",
                "Yes, ten percent.\n\n> Should the tram budget have a reserve?",
                "<m0@example.org>",
            ),
        ]
    ):
        msg = EmailMessage()
        msg["From"], msg["Subject"] = author, "Re: tram budget" if i else "tram budget"
        msg["Message-ID"] = f"<m{i}@example.org>"
        msg["Date"] = format_datetime(datetime(2024, 3, 1 + i, 9, 0, tzinfo=UTC))
        if reply_to:
            msg["In-Reply-To"] = reply_to
        msg.set_content(body)
        out.append(
            b"From "
            + author.split("<")[1].rstrip(">").encode()
            + b" Fri Mar  1 09:00:00 2024\n"
            + msg.as_bytes()
            + b"\n"
        )
    return b"".join(out)


def test_mbox_archive_nests_replies_by_in_reply_to() -> None:
    thread = read_bytes(mbox())
    assert thread.source == "mbox"
    first, reply = thread.comments
    assert reply.parent_id == first.id and reply.author == "Tom Reyes"
    assert reply.own_text() == "Yes, ten percent."
    assert first.own_text() == "Should the tram budget have a reserve?"
    assert reply.published is not None and reply.published.day == 2


def test_names_read_as_people_write_them() -> None:
    assert display_name("Kay, Michael") == "Michael Kay"
    assert display_name("ZOHAR,ILAN (HP-Cupertino,ex1)") == "Ilan Zohar"
    assert display_name("", "someone@example.org") == "someone"


def test_message_without_header_is_reported_by_number() -> None:
    broken = THREAD + "</s>just some text without a header"
    with pytest.raises(BadInput, match="Message 4"):
        parse(broken)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["Ann Lee", "Bo, Chen"]), st.text(min_size=1)),
        min_size=1,
        max_size=5,
    )
)
def test_any_bodies_parse_without_losing_messages(messages: list[tuple[str, str]]) -> None:
    clean = [(n, b.replace("</s>", " ").replace('"', "'")) for n, b in messages]
    try:
        thread = parse(one_line(*clean))
    except BadInput:
        return
    assert len(thread.comments) == len(clean)
    for c in thread.comments:
        for s in c.spans:
            assert 0 <= s.start <= s.end <= len(c.text)


def test_a_discussion_brief_reads_back_from_its_json_form_the_same() -> None:
    thread = read_bytes(THREAD.encode())
    brief = make_brief(thread)
    again = read_bytes(json.dumps(document(brief, thread, {})).encode())
    assert make_brief(again) == brief
