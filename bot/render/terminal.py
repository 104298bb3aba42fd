"""The brief in a terminal, with rich.

All thread text goes in as `Text` objects, never as markup, so a comment containing "[bold]" or
escape sequences prints as what it is.
"""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from bot.brief import Brief, Viewpoint
from bot.render.counts import counts_line


def _header(brief: Brief) -> Text:
    head = Text()
    head.append(brief.title or "Discussion", style="bold")
    byline = " · ".join(x for x in (brief.author, brief.site) if x)
    if byline:
        head.append(f"\n{byline}", style="dim")
    if brief.published:
        head.append(f"\n{brief.published:%Y-%m-%d}", style="dim")
    if brief.url:
        head.append(f"\n{brief.url}", style="blue")
    return head


def _hanging(marker: Text, text: Text) -> Table:
    """A bullet or quote whose wrapped lines stay under its first word, not at column 0."""
    grid = Table.grid()
    grid.add_column(no_wrap=True, width=marker.cell_len)
    grid.add_column(ratio=1)
    grid.add_row(marker, text)
    return grid


def _counts(brief: Brief) -> Text:
    return Text(counts_line(brief), style="dim")


def _viewpoint(v: Viewpoint) -> list[RenderableType]:
    """The point in its key sentence, who holds it and how many, then further quotes."""
    headline = v.headline
    heading = Text()
    if v.side:
        heading.append(f"[{v.side}] ", style="bold cyan")
    heading.append(f"“{headline.text}”" if headline else v.label, style="bold")
    if headline and headline.author:
        heading.append(f" — {headline.author}", style="italic")
    facts = (
        f"{v.size} comment{'s' if v.size != 1 else ''}"
        + (f", {v.authors} author{'s' if v.authors != 1 else ''}" if v.authors else "")
        + (f", score {v.score}" if v.score is not None else "")
        + (f" · {v.label}" if headline else "")
    )
    lines: list[RenderableType] = [
        _hanging(Text(f"{v.share:>4.0%} ", "bold magenta"), heading),
        _hanging(Text("     "), Text(facts, style="dim")),
    ]
    for q in v.quotes[1:]:
        line = Text.assemble(q.text, ("”", "dim"))
        if q.author:
            line.append(f" — {q.author}", style="italic")
        lines.append(_hanging(Text("     “", "dim"), line))
    return lines


def render(brief: Brief, console: Console, *, viewpoints: int = 5) -> None:
    """Print the brief: header, summary, then the heaviest viewpoints with their quotes."""
    body: list[RenderableType] = [_header(brief), _counts(brief)]
    if brief.summary:
        body.append(Rule("What the article says", style="cyan", align="left"))
        for sentence in brief.summary:
            body.append(_hanging(Text("• ", "cyan"), Text(sentence)))
    elif brief.title is None:
        body.append(Text("No article: this is a brief of the discussion only.", style="dim"))
    if brief.timeline:
        body.append(Rule("Who said what", style="cyan", align="left"))
        for q in brief.timeline:
            body.append(Text.assemble((f"{q.author or 'Someone'}: ", "bold"), q.text))
    body.append(Rule("What commenters argue", style="magenta", align="left"))
    if not brief.viewpoints:
        body.append(
            Text(
                "No comments to group."
                if not brief.counts.comments
                else "The comments are too short to tell viewpoints apart."
            )
        )
    if (sides := brief.sides().line()) is not None:
        body.append(Text(sides, style="magenta"))
    for v in brief.viewpoints[:viewpoints]:
        body.extend(_viewpoint(v))
    rest = len(brief.viewpoints) - viewpoints
    if rest > 0:
        body.append(Text(f"… and {rest} smaller viewpoint{'s' if rest != 1 else ''}.", "dim"))
    if brief.unclassified:
        n = len(brief.unclassified)
        body.append(Text(f"{n} short comment{'s' if n != 1 else ''} not grouped.", style="dim"))
    for note in brief.notes:
        body.append(Text(f"Note: {note}", style="yellow"))
    console.print(Panel(Group(*body), title="ThreadBrief", title_align="left", expand=True))
