"""Every regular expression that reads user text runs in time linear in its input.

Each case feeds one pattern (or the reader that uses it) an input of 400,000 characters shaped to
make a backtracking pattern try again from every position: a run of spaces, of dots, of opening
tags that never close. A linear pattern reads that in well under a second; a quadratic one needs
about 10^11 steps (hours), a cubic one far more. The cases run in a child process that is killed
after a generous limit, so the test never measures time: it only tells "finished" from "did not
finish", and names the case that did not.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

N = 400_000
LIMIT = 120.0
"""Seconds before the child is killed: ~100x what all linear cases need on a slow machine, and a
tiny fraction of what any one of them needs if it is quadratic."""

CASES = {
    # mailinglist: the one-line dump's header, tagged quotes, names, HTML parts
    "one-line header, spaces before Subject": (
        "from bot.sources.mailinglist import _one_line_head",
        """_one_line_head('Name: "a" Email: "b" To: ' + " " * N + "x")""",
    ),
    "one-line header, many Subject: without quote": (
        "from bot.sources.mailinglist import _one_line_head",
        """_one_line_head('Name: "a" Email: "b" To: x' + " Subject: x" * (N // 11))""",
    ),
    "one-line dump read whole": (
        "from bot.sources import mailinglist",
        """try:
    mailinglist.parse('Name: "a" Email: "b" To: c Subject: "d" ' + " " * N + "x</s>" * 3)
except Exception as e:
    assert type(e).__name__ == "MalformedInput", e""",
    ),
    "tagged quotes never closed": (
        "from bot.sources.mailinglist import _quote_and_signature",
        """_quote_and_signature("<ab> " * (N // 5))""",
    ),
    "tagged quotes closed at the end": (
        "from bot.sources.mailinglist import _quote_and_signature",
        """assert _quote_and_signature("<ab> " * (N // 5) + "</ab>")""",
    ),
    "wrote and original-message lines": (
        "from bot.sources.mailinglist import _quote_and_signature",
        """_quote_and_signature("--" + " " * N + "\\nOn x" + "y" * N)""",
    ),
    "Lotus Notes headers: addresses without names, names without addresses": (
        "from bot.sources.mailinglist import _quotation_start",
        """_quotation_start(", <a@b> on 1/1/1 1:11" * (N // 21))
_quotation_start("word " * (N // 5)); _quotation_start('"' + "x" * 79 + '" ' * (N // 82))
_quotation_start(("a" * 39 + " ") * (N // 40) + "<a@b> on 1/1/1 1:11")""",
    ),
    "sign-off lines": (
        "from bot.sources.mailinglist import _quote_and_signature",
        """_quote_and_signature("regards" * (N // 7) + "\\n" + "thanks " * (N // 7))""",
    ),
    "display name of parentheses": (
        "from bot.sources.mailinglist import display_name",
        """display_name("(" * N); display_name("a" + " " * N + "b")
display_name("a (" * (N // 3))""",
    ),
    "an HTML mail of opening brackets": (
        "from bot.sources import mailinglist",
        """mailinglist.parse("", data=b"From a@b\\nFrom: a@b\\nContent-Type: text/html\\n\\n"
                  + b"<" * N + b"\\n")""",
    ),
    # textdump: headers, bylines, numbered and bulleted comments, "says:" lines
    "comment-count header with trailing text": (
        "from bot.sources.textdump import _HEADER",
        """_HEADER.match("5 comments" + " " * N + "x"); _HEADER.match("5 comments" + " :" * N)""",
    ),
    "says line": (
        "from bot.sources.textdump import _SAYS",
        """_SAYS.match("a" + " " * N + "x"); _SAYS.match("a b " * (N // 4))""",
    ),
    "numbered, bulleted, byline and furniture lines": (
        "from bot.sources import textdump as t",
        """for p in (t._NUMBERED, t._BULLET, t._BYLINE, t._FURNITURE, t._RELATED, t._CLOSED,
          t._END, t._QUOTE_START):
    p.match(" " * N + "x"); p.match("1. " + " " * N); p.match("- " * N); p.match("by " * N)""",
    ),
    "byline with many spaces": (
        "from bot.sources.textdump import _byline",
        """_byline("By " + " " * N + "x"); _byline("By a" + " ," * N)
_byline("By a" + " -" * N)""",
    ),
    # WXR shortcodes, web pages' count headings
    "shortcodes never closed": (
        "from bot.sources.wxr import _text",
        """_text("[a " * (N // 3))""",
    ),
    "count heading": (
        "from bot.sources.webpage import _COUNT",
        """_COUNT.match("1" + "," * N); _COUNT.match(" " * N + "1")""",
    ),
    # HTML fragments (Hacker News, Discourse, Mastodon, Disqus, WXR bodies)
    "HTML of unclosed tags": (
        "from bot.sources.html_text import html_to_text",
        """for s in ("<a " * (N // 3), "</a " * (N // 4), "<!--" * (N // 4), "<![" * (N // 3),
          "<?" * (N // 2), "<p>a</p>" * (N // 8), "<blockquote>" * (N // 12), "&#" * (N // 2)):
    html_to_text(s)""",
    ),
    # bot/text: sentences, links, words, language
    "runs of sentence marks": (
        "from bot.text.sentences import split_sentences, split_text",
        """split_sentences("." * N); split_sentences("." * (N // 2) + '"' * (N // 2) + "x")
split_sentences("a. " * (N // 3)); split_text("\\n" + " " * N + "x")""",
    ),
    "links": (
        "from bot.text.links import find_urls",
        """find_urls("http://" + "." * N); find_urls("http://a" * (N // 8)); find_urls("<" * N)""",
    ),
    "words and languages": (
        "from bot.text.words import tokenize_words; from bot.text.language import detect_language",
        """tokenize_words("a'" * (N // 2)); tokenize_words("a-" * (N // 2))
detect_language("a'" * (N // 2))""",
    ),
}


def _program() -> str:
    lines = ["import sys", f"N = {N}"]
    for name, (imports, body) in CASES.items():
        lines.append(f"print({name!r}, flush=True)")
        lines.append(imports)
        lines.append(body)
    lines.append("print('done', flush=True)")
    return "\n".join(lines)


def test_every_pattern_over_user_text_reads_adversarial_input_in_linear_time() -> None:
    program = _program()
    try:
        result = subprocess.run(
            [sys.executable, "-c", program],
            capture_output=True,
            text=True,
            timeout=LIMIT,
        )
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        started = out.strip().splitlines()
        raise AssertionError(f"did not finish: {started[-1] if started else 'start-up'}") from None
    assert result.returncode == 0, textwrap.shorten(result.stderr, 2000)
    assert result.stdout.strip().splitlines()[-1] == "done"
