"""The blind conversation suite (tests/conversations/suite.yml) through the REST channel with
both servers: every conversation must reach its legal conclusion with its article, answer each
marked follow-up, never stall and never repeat a message within a turn (scored by
bench/conversations.py, the same scorer as the benchmark).

Conversations the bot does not pass yet are listed in known_failures.txt, each with the
reason; they run as xfails (not strict: a retrained model may flip a borderline one, and CI
must not depend on that), and a list that hides more than a quarter of the suite fails."""
from __future__ import annotations

from pathlib import Path

import pytest

from bench.conversations import load, play

HERE = Path(__file__).parent
SUITE = load(HERE / "suite.yml")
KNOWN = {line.split("#")[0].strip() for line in (HERE / "known_failures.txt").read_text(encoding="utf-8").splitlines()
         if line.split("#")[0].strip()}
MIN_CONVERSATIONS = 60


def test_the_suite_is_large_enough_and_mostly_passing():
    ids = [c["id"] for c in SUITE]
    assert len(ids) >= MIN_CONVERSATIONS and len(set(ids)) == len(ids)
    assert KNOWN <= set(ids), f"known_failures.txt names unknown ids: {sorted(KNOWN - set(ids))}"
    assert len(KNOWN) <= len(ids) // 4, "more than a quarter of the suite is listed as failing"


@pytest.mark.parametrize("conversation", [
    pytest.param(c, id=c["id"], marks=[pytest.mark.xfail(strict=False, reason="known_failures.txt")]
                 if c["id"] in KNOWN else []) for c in SUITE])
def test_conversation(bot_server, conversation):
    result = play(bot_server, conversation, "suite.yml")
    assert result.passed, "; ".join(result.failures)
