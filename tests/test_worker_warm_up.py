"""A fresh worker has already loaded what the first web page with a date needs."""

from __future__ import annotations

from bot.jobs import process_pool


def _caches() -> tuple[int, int]:
    from htmldate.extractors import get_external_parser, month_words

    return get_external_parser.cache_info().currsize, month_words.cache_info().currsize


def test_each_worker_builds_dateparsers_caches_at_start_not_on_the_first_page() -> None:
    pool = process_pool(1)
    try:
        parser, months = pool.submit(_caches).result(timeout=120)
    finally:
        pool.shutdown()
    assert (parser, months) == (1, 1)
