"""Markdown (Reddit's comments and posts) to plain text with quotation spans.

Reddit stores what people typed: `**bold**`, `[a link](https://...)`, `> quotes`, HTML-escaped
`&amp;`. markdown-it-py renders it as CommonMark (with tables and strikethrough, as Reddit
writes them) and `html_to_text` reads the HTML as it reads any comment body, so a `>` quote
becomes a quotation span exactly as a `<blockquote>` does. Raw HTML in the text is shown, never
interpreted.
"""

from __future__ import annotations

import html
from functools import cache
from typing import Any

from bot.sources.html_text import html_to_text
from bot.thread import Span


@cache
def _renderer() -> Any:
    # start-up: markdown-it costs 0.07 s; only Markdown sources need it
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def markdown_to_text(source: str) -> tuple[str, tuple[Span, ...]]:
    """Plain text, paragraphs separated by a blank line, and the spans of its quotations."""
    # Reddit's JSON escapes &, < and > unless asked for raw_json; markdown wants them plain.
    return html_to_text(_renderer().render(html.unescape(source)))


def prose_paragraphs(source: str) -> tuple[str, ...]:
    """The paragraphs of a post that can be summary sentences: not its headings ("Why polls?"
    in bold on a line of its own), not a bare link or a link alone ("[View Poll](...)"), not
    code, and not quotations of someone else."""
    tokens = _renderer().parse(html.unescape(source))
    kept: list[str] = []
    quoted = 0
    for i, token in enumerate(tokens):
        if token.type == "blockquote_open":
            quoted += 1
        elif token.type == "blockquote_close":
            quoted -= 1
        if token.type != "inline" or quoted or i == 0 or tokens[i - 1].type != "paragraph_open":
            continue
        children = [c for c in token.children or [] if c.type not in ("softbreak", "hardbreak")]
        if _heading_or_link(children):
            continue
        text, _ = html_to_text(_renderer().renderInline(token.content))
        if text.strip():
            kept.append(" ".join(text.split()))
    return tuple(kept)


def _heading_or_link(children: list[Any]) -> bool:
    """A paragraph that is all one bold run, or all one link, or one bare URL."""
    visible = [c for c in children if not (c.type == "text" and not c.content.strip())]
    if not visible:
        return True
    first, last = visible[0].type, visible[-1].type
    if (first, last) in (("strong_open", "strong_close"), ("em_open", "em_close")):
        depth = 0
        for c in visible[:-1]:
            depth += c.type.endswith("_open") - c.type.endswith("_close")
            if depth == 0:
                return False  # the bold run ends before the paragraph does
        return True
    if (first, last) == ("link_open", "link_close"):
        return bool(sum(c.type == "link_open" for c in visible) == 1)
    if len(visible) == 1 and first == "text":
        words = visible[0].content.split()
        return len(words) == 1 and words[0].startswith(("http://", "https://", "www."))
    return False


_DISCORD_PREFIX = ("> ", ">>> ")
_HEADING_MARKS = ("### ", "## ", "# ", "-# ")


def discord_to_text(content: str) -> str:
    """Discord's markdown (`**bold**`, `__underline__`, `||spoiler||`, `` `code` ``, fences,
    `# headings`, `[masked](links)`) as the plain text a reader sees. Discord breaks lines where
    the writer did, and its `>` quotes are kept as typed, for `chat.quote_spans` to mark."""
    lines: list[str] = []
    fenced = False
    for line in content.split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            rest = line.lstrip()[3:]
            inside = rest.split("```", 1)[0] if "```" in rest else ""
            if "```" in rest:
                fenced = not fenced  # a fence opened and closed on one line
                lines.append(inside.strip())
            continue
        if fenced:
            lines.append(line)
            continue
        prefix = next((m for m in _DISCORD_PREFIX if line.startswith(m)), "")
        body = line[len(prefix) :]
        mark = next((m for m in _HEADING_MARKS if body.startswith(m)), "")
        body = body[len(mark) :].replace("||", "")
        text, _ = html_to_text(_renderer().renderInline(body)) if body.strip() else ("", ())
        lines.append(prefix + " ".join(text.split()))
    return "\n".join(lines).strip()
