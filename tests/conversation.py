"""A Discord conversation written for the tests: people arguing in three languages, with replies,
bursts of messages by one person, a bot, and messages whose text cannot be read."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakediscord.server import FakeDiscord

START = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)

VIEWS = {
    "cost": [
        "The night buses cost far too much for a service so few people use.",
        "Paying for empty buses at three in the morning is a waste of public money.",
        "The parking levy will hit drivers who already pay too much.",
        "I would rather see that budget go to the day buses that everyone takes.",
    ],
    "safety": [
        "Night workers need a safe way home, a bus is much safer than walking.",
        "Nurses and cleaners finish late and have no other way to get home safely.",
        "Since the buses stopped, my daughter walks home alone through the park at night.",
        "A safe ride home at night matters more than a few euros of levy.",
    ],
    "fr": [
        "Les bus de nuit sont indispensables pour les travailleurs de nuit.",
        "Sans bus de nuit, les quartiers est restent coupés du centre après minuit.",
        "Je rentre du travail à deux heures et je n'ai aucun autre moyen de transport.",
    ],
    "de": [
        "Die Nachtbusse sind für Schichtarbeiter in der Stadt unverzichtbar.",
        "Ohne Nachtbus muss ich nach der Spätschicht ein teures Taxi nehmen.",
        "Die Stadt sollte die Nachtbusse sofort wieder einführen.",
    ],
}
PEOPLE = {
    "cost": ["Ana", "Bruno", "Carla", "Dmitri"],
    "safety": ["Eve", "Femi", "Gus", "Hana"],
    "fr": ["Inès", "Jules"],
    "de": ["Karl", "Lena"],
}


def person(name: str, *, bot: bool = False) -> dict[str, Any]:
    number = 900000000000010000 + sum(ord(c) for c in name) * 7 + len(name)
    return {
        "id": str(number),
        "username": name.lower(),
        "global_name": name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
    }


def post_conversation(
    fake: FakeDiscord,
    channel_id: int,
    count: int,
    *,
    opener: str | None = None,
    opener_id: str | None = None,
    seed: int = 5,
    start: datetime = START,
) -> list[dict[str, Any]]:
    """`count` messages in the channel (the opener first, when given), oldest first.

    About half argue cost, a third safety, the rest in French and German; one in ten replies to
    an earlier message; some people post twice in a row; a few messages are a bot's, embeds only,
    withheld text, or replies to deleted messages.
    """
    rng = random.Random(seed)
    at = start
    posted: list[dict[str, Any]] = []
    if opener is not None:
        posted.append(
            fake.chat_message(
                opener,
                author=person("Mira"),
                channel_id=channel_id,
                at=at,
                message_id=opener_id,
            )
        )
    groups = ["cost"] * 5 + ["safety"] * 3 + ["fr", "de"]
    while len(posted) < count:
        at += timedelta(minutes=rng.choice([1, 2, 3, 9, 15]))
        n = len(posted)
        if n % 50 == 7:
            posted.append(
                fake.chat_message(
                    "Reminder: be kind.",
                    author=person("Modbot", bot=True),
                    channel_id=channel_id,
                    at=at,
                )
            )
            continue
        if n % 60 == 11:
            posted.append(fake.chat_message("", author=person("Ana"), channel_id=channel_id, at=at))
            continue
        if n % 75 == 13:
            posted.append(
                fake.chat_message(
                    "", author=person("Bruno"), channel_id=channel_id, at=at, embeds=1
                )
            )
            continue
        group = rng.choice(groups)
        text = rng.choice(VIEWS[group])
        reply_to = rng.choice(posted) if posted and rng.random() < 0.1 else None
        posted.append(
            fake.chat_message(
                text,
                author=person(rng.choice(PEOPLE[group])),
                channel_id=channel_id,
                at=at,
                reply_to=reply_to,
                reply_to_deleted=n % 90 == 17,
            )
        )
    return posted
