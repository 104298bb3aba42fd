"""Blog pages in the comment markups real WordPress themes print, read as their readers see them."""

from __future__ import annotations

from tests.layouts import authors, comments, depth, own_words, summarize


def test_html5_comment_list_with_replies_and_a_pingback() -> None:
    doc = summarize("web/html5-ol-comment-list.html")
    assert authors(doc) == ["Colm Brady", "Hannelore Voss", "Priscilla Odum", None]
    assert depth(doc) == 1
    assert [c["kind"] for c in comments(doc)][-1] == "pingback"
    counts = doc["brief"]["counts"]
    assert counts["declared"] == 4 and counts["links"] == 1 and counts["authors"] == 3
    assert doc["brief"]["author"] == "Hannelore Voss"
    assert "Pingback" not in comments(doc)[-1]["text"]
    assert "Reply" not in own_words(comments(doc)[0]) and "says" not in comments(doc)[0]["text"]


def test_old_theme_comment_body_with_paragraphs_and_a_trackback() -> None:
    doc = summarize("web/ol-commentlist-comment-body-p.html")
    assert authors(doc) == [
        "Maureen Tiller",
        "Desmond Pyle",
        "Maureen Tiller",
        "Ines Karlsson",
        None,
    ]
    assert depth(doc) == 2
    assert comments(doc)[0]["text"].endswith("Could the shuttle not move ten minutes instead?")
    assert "November 12" not in comments(doc)[0]["text"]
    assert comments(doc)[-1]["kind"] == "trackback"
    # the byline under the title names the writer; no commenter's "X says" stands in for one
    assert doc["brief"]["author"] == "Redmond Achebe"
    assert not doc["brief"]["summary"][0].startswith("November")
    assert doc["brief"]["counts"]["declared"] == 5


def test_wordpress_com_markup_and_an_author_box_link() -> None:
    doc = summarize("web/wordpress-com-highlander.html")
    assert doc["brief"]["author"] == "Tomasz Wierzbicki"  # not "View all posts by ..."
    assert authors(doc) == ["Lena Moraes", "Tomasz Wierzbicki", "Rafaela"]
    assert depth(doc) == 1
    assert doc["brief"]["counts"]["declared"] == 3


def test_kubrick_comments_written_straight_into_the_list_item() -> None:
    doc = summarize("web/kubrick-text-in-li.html")
    assert doc["brief"]["title"] == "Why I stopped using a password manager sync"
    assert authors(doc) == ["gvandermeer", "Oyelaran", "Beatrix Lund"]
    assert comments(doc)[1]["text"] == (
        "I did the same three years ago and never looked back.\n\n"
        "Nobody can lock me out of a file on my own disk."
    )
    assert all("Says" not in c["text"] and "2026" not in c["text"] for c in comments(doc))
    assert doc["brief"]["counts"]["declared"] == 3 and depth(doc) == 0


def test_bare_text_in_the_list_item() -> None:
    doc = summarize("web/bare-text-in-li.html")
    assert authors(doc) == ["Wendell", "Aurelie", "Sunniva"]
    assert comments(doc)[0]["text"].startswith("Splitting the plots is fair")
    assert "said" not in comments(doc)[1]["text"].split()[0]
    assert "1 December 2026" not in comments(doc)[0]["text"]


def test_german_heading_declares_the_count_across_comment_pages() -> None:
    doc = summarize("web/german-antworten.html")
    counts = doc["brief"]["counts"]
    assert counts["declared"] == 142 and counts["comments"] == 3
    assert counts["presence"] == "3 of 142 responses present"
    assert authors(doc) == ["Sabine", "Klaus D.", "Meral"]
    assert doc["brief"]["language"] == "de"


def test_this_post_has_n_comments_and_a_blockquoted_reply() -> None:
    doc = summarize("web/genesis-this-post-has.html")
    assert doc["brief"]["counts"]["declared"] == 80
    assert authors(doc) == ["Art Edwards", "Noor Haddad"]
    assert doc["brief"]["author"] == "Odessa Fairweather"
    reply = comments(doc)[1]
    assert own_words(reply) == (
        "Tell that to the parents paying for Friday childcare out of two part-time wages."
    )
    assert depth(doc) == 1


def test_a_commenter_who_says_is_never_the_article_author() -> None:
    doc = summarize("web/says-byline-no-author.html")
    assert doc["brief"]["author"] is None
    assert authors(doc) == ["Imogen Tate", "Raúl Ortega"]
    assert doc["brief"]["counts"]["declared"] == 2
