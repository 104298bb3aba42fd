"""A brief from the command line imports what it uses and nothing else.

Start-up time is measured by the benchmark (`python -m bench.speed`); these tests check the
imports behind it, which a machine's load cannot change: no HTTP client, no NLTK, no discord.py,
one ranking rather than seven, and the summary the same on ThreadBrief's document model as on
sumy's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sumy.models.dom import ObjectDocumentModel
from sumy.models.dom import Paragraph as SumyParagraph
from sumy.models.dom import Sentence as SumySentence

from bot.summarize import ALGORITHMS, make_summarizer, summarize_paragraphs
from bot.text.sentences import split_sentences
from bot.text.words import OfflineTokenizer
from tests.threads import ARTICLE, tram_thread

ROOT = Path(__file__).resolve().parents[1]


def modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running `code`."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_briefing_a_file_imports_no_http_client_nltk_discord_or_other_rankings(
    tmp_path: Path,
) -> None:
    from bot.render.json import thread_dict

    path = tmp_path / "thread.json"
    path.write_text(json.dumps({"source": "test", **thread_dict(tram_thread())}))
    loaded = modules_after(
        "import contextlib, io\n"
        "from bot.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['summarize', {str(path)!r}, '--json']) == 0\n"
    )
    for heavy in ("requests", "nltk", "discord", "aiohttp", "sumy.models", "sumy.summarizers"):
        assert heavy not in loaded, heavy
    rankings = {m for m in loaded if m.startswith("bot.ranking.")} - {
        "bot.ranking.base",
        "bot.ranking.counts",
    }
    assert rankings == {"bot.ranking.lexrank"}


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_the_summary_is_the_same_on_sumys_document_model(algorithm: str) -> None:
    tokenizer = OfflineTokenizer("en")
    sumys = ObjectDocumentModel(
        [
            SumyParagraph([SumySentence(s, tokenizer) for s in split_sentences(p)])
            for p in ARTICLE.paragraphs
        ]
    )
    summarizer = make_summarizer(algorithm, "en", ARTICLE.title)
    expected = tuple(str(s) for s in summarizer(sumys, 2))
    ours = summarize_paragraphs(
        ARTICLE.paragraphs, language="en", algorithm=algorithm, count=2, title=ARTICLE.title
    )
    assert ours == expected and len(ours) == 2


def test_reading_a_page_copied_as_text_does_not_load_the_mail_parser() -> None:
    loaded = modules_after(
        "from bot.sources import read_bytes\n"
        "read_bytes(b'Title\\n\\nThe article says a thing.\\n\\n1 Comment\\n\\n1. I agree.')\n"
    )
    assert "bot.sources.textdump" in loaded
    assert not {"email.parser", "email.policy", "email.message"} & loaded


@pytest.mark.parametrize(("owner_setting", "threads"), [(None, "1"), ("3", "3")])
def test_a_brief_runs_blas_on_one_thread_unless_the_owner_says_otherwise(
    tmp_path: Path, owner_setting: str | None, threads: str
) -> None:
    from bot.render.json import thread_dict

    path = tmp_path / "thread.json"
    path.write_text(json.dumps({"source": "test", **thread_dict(tram_thread())}))
    setting = (
        "" if owner_setting is None else f"os.environ['OPENBLAS_NUM_THREADS'] = '{owner_setting}'\n"
    )
    probe = (
        "import contextlib, io, os, sys\n"
        "os.environ.pop('OPENBLAS_NUM_THREADS', None)\n"
        f"{setting}"
        "from bot.cli import main\n"
        "assert 'numpy' not in sys.modules\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['summarize', {str(path)!r}, '--json']) == 0\n"
        "assert 'numpy' in sys.modules\n"
        "print(os.environ['OPENBLAS_NUM_THREADS'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == threads
