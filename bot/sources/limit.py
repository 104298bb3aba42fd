"""The comment limit, checked while a thread is read rather than after.

Reading the rest of a thread that will be refused anyway costs a worker (or a laptop) the whole
parse; each reader checks its count as comments come in and stops at the first one over.
"""

from __future__ import annotations

from bot.errors import TooManyComments


def check_count(count: int, most: int | None) -> None:
    """Raise TooManyComments once `count` comments are past `most` (None: no limit)."""
    if most is not None and count > most:
        raise TooManyComments(
            f"This thread has more than {most:,} comments; at most {most:,} are briefed."
        )
