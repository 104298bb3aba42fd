"""Mail archives and list threads as real archives hold them: mbox files, pipermail, saved
messages, one-line dumps; quoted replies in every client's style, signatures, short answers."""

from __future__ import annotations

from typing import Any

import pytest

from bot.config import FetchConfig
from tests.layouts import LAYOUTS, authors, comments, depth, not_own, own_words, refused, summarize
from tests.localweb import page_app, read_link, serving


def timeline(doc: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(q["author"], q["text"]) for q in doc["brief"]["timeline"]]


def test_an_mbox_whose_first_from_header_is_far_down_is_still_an_mbox() -> None:
    doc = summarize("mbox/late-from-header.mbox")
    assert doc["brief"]["source"] == "mbox"
    assert authors(doc) == ["Ruth Okafor", "Piet de Wit", "Ruth Okafor"]
    assert depth(doc) == 2
    assert all(not line.startswith(">") for _, line in timeline(doc))
    assert "grit bins" in own_words(comments(doc)[2])
    assert "steep ramps" not in own_words(comments(doc)[2])


def test_an_archive_of_several_threads_briefs_the_busiest_and_names_the_others() -> None:
    doc = summarize("mbox/several-threads.mbox")
    assert doc["brief"]["title"] == "Rehearsal room for the spring concert"
    assert authors(doc) == ["Lena Brandt", "Kofi Mensah", "Lena Brandt", "Miguel Arroyo"]
    assert depth(doc) == 3
    (note,) = doc["brief"]["notes"]
    assert "3 threads" in note and '"Subscriptions for next year" (2 messages)' in note
    assert '"Lost folder of scores" (1 message)' in note


def test_pick_chooses_a_thread_of_an_archive_by_subject() -> None:
    doc = summarize("mbox/several-threads.mbox", "--pick", "subscriptions for next year")
    assert doc["brief"]["title"] == "Subscriptions for next year"
    assert authors(doc) == ["Agnieszka Nowak", "Kofi Mensah"]
    assert doc["brief"]["notes"] == []


def test_a_pick_matching_no_thread_says_which_threads_there_are(capsys: Any) -> None:
    message = refused("mbox/several-threads.mbox", capsys, "--pick", "parking")
    assert 'No thread in this archive has the subject "parking"' in message
    assert "Lost folder of scores" in message


def test_pipermail_senders_keep_their_names() -> None:
    doc = summarize("mbox/pipermail.txt")
    assert authors(doc) == ["Andy Smith", "Mercy Oyelowo", "Andy Smith"]
    assert doc["brief"]["title"] == "Slug pellets on the shared beds"  # no "[Growers]"
    assert "Can we put a sign up" in not_own(comments(doc)[1], "quote")


def test_outlook_original_message_blocks_are_the_earlier_writer_s_words() -> None:
    doc = summarize("mbox/outlook-original-message.mbox")
    bayo, dana = comments(doc)[1], comments(doc)[2]
    assert authors(doc) == ["Dana Keller", "Bayo Okoro", "Dana Keller"]
    assert own_words(bayo).endswith("I can do the third floor tonight.")
    assert "queue for ten minutes" not in own_words(bayo)
    assert own_words(dana) == "Please do, the payroll run prints tomorrow morning."
    assert "Facilities Office" in not_own(comments(doc)[0], "signature")


def test_lotus_notes_quote_headers_and_contact_signatures() -> None:
    doc = summarize("mbox/lotus-notes.mbox")
    gwen, tomas = comments(doc)
    assert "(555) 010-4477" in not_own(gwen, "signature")
    assert "Harlow Document Systems" not in own_words(gwen)
    assert own_words(tomas) == (
        "Case-insensitive labels would break every server that already stores them as plain "
        "strings. I agree with case-sensitive comparison."
    )
    quoted = [line for author, line in timeline(doc) if author == "tomas.ek"]
    assert quoted and not any("I propose" in line for line in quoted)


def test_a_single_saved_message_reads_as_a_thread_of_one() -> None:
    doc = summarize("mbox/saved-message.eml")
    assert doc["brief"]["source"] == "mbox"
    assert authors(doc) == ["Noor Rahman"]
    assert doc["brief"]["title"] == "Street party road closure"
    assert "Return-Path" not in comments(doc)[0]["text"]


async def test_an_archive_served_as_application_mbox_is_read() -> None:
    body = (LAYOUTS / "mbox" / "pipermail.txt").read_bytes()
    async with serving(page_app("/archive.mbox", body, "application/mbox")) as base:
        thread = await read_link(f"{base}/archive.mbox", FetchConfig(allow_loopback=True))
    assert [c.author for c in thread.comments] == ["Andy Smith", "Mercy Oyelowo", "Andy Smith"]


def test_a_contact_block_without_a_dash_line_is_a_signature() -> None:
    doc = summarize("mail/signature-contact-block.txt")
    marianne, owen = comments(doc)
    assert "(555)014-2290" in not_own(marianne, "signature")
    assert "Copperleaf" not in own_words(marianne) and "Quarry Road" not in own_words(marianne)
    assert "+1 555 017 8812" in not_own(owen, "signature")
    shown = "\n".join(line for _, line in timeline(doc))
    assert "Copperleaf" not in shown and "Ferris Consulting" not in shown
    assert (
        "Owen Ferris",
        own_words(owen).split(";")[0] + "; that is how the draft defines it.",
    ) in (timeline(doc))


def test_a_collapsed_lotus_notes_header_starts_the_quotation() -> None:
    doc = summarize("mail/lotus-notes-one-line.txt")
    _, anand = comments(doc)
    assert own_words(anand) == (
        "UTF-8 is the only default that makes sense for XML bodies, and the parsers already "
        "assume it."
    )
    assert "I suggest UTF-8" in not_own(anand, "quote")
    assert [a for a, line in timeline(doc) if "I suggest UTF-8" in line] == ["Harriet Quint"]


def test_a_short_answer_stays_in_who_said_what() -> None:
    doc = summarize("mail/short-answer.txt")
    assert ("Emeka Okonkwo", "Yes.") in timeline(doc)
    assert own_words(comments(doc)[1]) == "Yes."


def test_a_sentence_pasted_from_an_earlier_message_is_its_writer_s() -> None:
    doc = summarize("mail/quoted-without-marks.txt")
    joao = comments(doc)[1]
    assert "A client cannot tell this apart from a server failure." in not_own(joao, "quote")
    assert own_words(joao).startswith("It can if the proxy sends 504")
    said = [a for a, line in timeline(doc) if line.startswith("A client cannot tell")]
    assert set(said) <= {"Grace Hollis"}


def test_in_reply_to_lines_and_mh_quote_headers_are_not_anyone_s_words() -> None:
    doc = summarize("mail/in-reply-to-your-message.txt")
    celine = comments(doc)[1]
    assert "Your message of" not in celine["text"]
    assert own_words(celine) == (
        "Any order is allowed unless the request asks for sorting, and the proposal says so in "
        "its section on result sets."
    )


@pytest.mark.parametrize(
    "name",
    [
        "mbox/late-from-header.mbox",
        "mbox/several-threads.mbox",
        "mbox/pipermail.txt",
        "mbox/outlook-original-message.mbox",
        "mbox/lotus-notes.mbox",
    ],
)
def test_quoted_lines_never_stand_as_someone_s_point(name: str) -> None:
    for _, line in timeline(summarize(name)):
        assert not line.startswith((">", "From:", "Sent:", "-----")), line
