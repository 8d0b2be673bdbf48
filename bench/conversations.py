"""Whole-conversation benchmark: play the blind conversation sets through the REST channel
with both servers running, and score each conversation's legal conclusion.

    .venv/bin/python -m bench.conversations [--out docs/conversations.md] [FILE ...]

Default sets: DEFAULT_SETS below (all written blind from the law texts and
tests/conversations/FORMAT.md; only conversations_heldout2.yml has not been read by the
developers — see the report's header). A conversation passes when
every expectation holds: the last legal-aid conclusion the bot gave (`final`), the answers
to the marked turns (`expect`), the articles cited, and no stall (the same bot message three
times in a conversation) and no message repeated within one turn.
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests
import yaml

from knowledge.text import parse_chinese_number

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SETS = [ROOT / "tests" / "conversations" / "suite.yml", ROOT / "bench" / "conversations_dev.yml",
                ROOT / "bench" / "conversations_heldout.yml", ROOT / "bench" / "conversations_dev2.yml",
                ROOT / "bench" / "conversations_dev3.yml", ROOT / "bench" / "conversations_dev4.yml",
                ROOT / "bench" / "conversations_heldout2.yml"]

# How each conclusion code shows in the bot's verdict (knowledge/results.py headlines and the
# engine's reasons); checked in this order, the first that matches names the message.
CONCLUSION_MARKERS = [
    ("mandatory_defence", ("也不需要您另外申请",)),
    ("apply_then_assigned", ("被告人申请法律援助后，法院应当通知",)),
    ("no_means_test", ("而且不受经济困难条件的限制",)),
    ("not_listed", ("列明的范围内", "不是列明的事项")),
    ("means_check_exempt", ("免予核查经济困难状况",)),
    ("means_tested", ("经济困难", "其他原因没有委托辩护人")),
]
VERDICT_HEADLINES = ("根据您说的情况", "您的事项属于法律援助的范围")
ROUTE_MARKERS = {
    "labour_arbitration": ("劳动人事争议仲裁", "劳动仲裁", "劳动争议仲裁"),
    "police": ("110", "报警", "报案"),
    "protection_order": ("人身安全保护令",),
    "court": ("法院", "起诉"),
    "mediation": ("调解",),
}
CN_NUMBER = re.compile(r"[零一二三四五六七八九两十百]+(?=[日天小时个年月条项])")
CITATION = re.compile(r"《([^》]+)》((?:第[零一二三四五六七八九十百]+条[、]?)+)")


def digits(text: str) -> str:
    """三日 → 3日, 十五日 → 15日, 七十二小时 → 72小时 (article labels are left alone)."""
    def repl(m: re.Match) -> str:
        start = m.start()
        if start > 0 and text[start - 1] == "第":
            return m.group()
        value = parse_chinese_number(m.group())
        return str(value) if value is not None else m.group()
    return CN_NUMBER.sub(repl, text)


def law_key(name: str) -> str:
    return name.replace("中华人民共和国", "").replace("最高人民法院关于", "").replace("的", "")


def cited(text: str) -> set[tuple[str, str]]:
    found = set()
    for law, articles in CITATION.findall(text):
        for article in re.findall(r"第[零一二三四五六七八九十百]+条", articles):
            found.add((law_key(law), article))
    return found


def article_cited(expected: str, citations: set[tuple[str, str]]) -> bool:
    m = re.match(r"(.+?)(第[零一二三四五六七八九十百]+条)$", expected.strip())
    if not m:
        return False
    law, article = law_key(m.group(1)), m.group(2)
    return any(article == a and (law in l or l in law) for l, a in citations)


def conclusion_of(text: str) -> str | None:
    if not any(h in text for h in VERDICT_HEADLINES):
        return None
    for code, markers in CONCLUSION_MARKERS:
        if any(m in text for m in markers):
            return code
    return None


@dataclass
class Result:
    set_name: str
    conv_id: str
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def check_expect(expect: dict, text: str, where: str) -> list[str]:
    failures = []
    plain = digits(text)
    for item in expect.get("must_mention") or []:
        if digits(str(item)) not in plain:
            failures.append(f"{where}: does not mention {item!r}")
    for item in expect.get("must_not_mention") or []:
        if str(item) in text:
            failures.append(f"{where}: mentions {item!r}")
    citations = cited(text)
    for article in expect.get("articles") or []:
        if not article_cited(article, citations):
            failures.append(f"{where}: does not cite {article}")
    route = expect.get("route")
    if route and not any(m in text for m in ROUTE_MARKERS.get(route, (route,))):
        failures.append(f"{where}: no {route} route")
    return failures


def play(base: str, conversation: dict, set_name: str, transcript: list[str] | None = None) -> Result:
    result = Result(set_name, str(conversation.get("id")))
    if transcript is not None:
        transcript.append(f"\n## {set_name} {conversation.get('id')}")
    sender = f"bench-{uuid.uuid4().hex}"
    all_texts: list[str] = []
    for index, turn in enumerate(conversation.get("turns") or []):
        try:
            replies = requests.post(f"{base}/webhooks/rest/webhook",
                                    json={"sender": sender, "message": str(turn.get("user", ""))},
                                    timeout=60).json()
        except (requests.RequestException, ValueError) as exc:
            result.failures.append(f"turn {index + 1}: request failed ({type(exc).__name__})")
            return result
        texts = [r.get("text") or "" for r in replies if isinstance(r, dict)]
        if transcript is not None:
            transcript.append(f"\n> {turn.get('user')}")
            transcript += [f"[bot] {t}" for t in texts]
        if not texts:
            result.failures.append(f"turn {index + 1}: no reply")
        repeated = [t for t, n in Counter(texts).items() if n > 1 and t]
        if repeated:
            result.failures.append(f"turn {index + 1}: a message repeated within the turn")
        all_texts += texts
        if turn.get("expect"):
            result.failures += check_expect(turn["expect"], "\n".join(texts), f"turn {index + 1}")
    stalls = [t for t, n in Counter(all_texts).items() if n >= 3 and t]
    if stalls:
        result.failures.append("stall: the same message three times")
    final = conversation.get("final")
    if final:
        conclusions = [c for c in (conclusion_of(t) for t in all_texts) if c]
        got = conclusions[-1] if conclusions else None
        if got != final.get("conclusion"):
            result.failures.append(f"final: conclusion {got} instead of {final.get('conclusion')}")
        joined = "\n".join(all_texts)
        result.failures += check_expect({"articles": final.get("articles")}, joined, "final")
        if final.get("duty_lawyer") and "值班律师" not in joined:
            result.failures.append("final: the duty lawyer is not mentioned")
        if final.get("advance_aid") and "先行提供" not in joined:
            result.failures.append("final: advance legal aid (Art. 44) is not mentioned")
    if transcript is not None:
        transcript.append("FAILURES: " + "; ".join(result.failures) if result.failures else "PASS")
    return result


def load(path: Path) -> list[dict]:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("conversations") or []


def report(results: list[Result], sets: list[Path]) -> str:
    lines = ["# Whole-conversation benchmark", "",
             "Generated by `python -m bench.conversations` (both servers, REST channel, the committed model).",
             "Each set was written blind from the law texts and `tests/conversations/FORMAT.md`; a conversation",
             "passes when its legal conclusion, the articles cited and every marked answer are right, with no",
             "stall and no message repeated within a turn.", "",
             "suite.yml and conversations_dev.yml were read by the developers while fixing failures (sessions",
             "6–9); conversations_heldout.yml (45) was read in session 10 to fix its failures;",
             "conversations_dev2.yml and conversations_dev3.yml (60 each, written blind by two helper sessions each on",
             "2026-12-04) were read in session 12 to fix their failures (dev2: 24/60 at its first run; dev3 part A:",
             "11/30); conversations_dev4.yml (60, written blind by two helper sessions on 2026-12-08) was read in",
             "session 14 to fix its failures (30/60 at its first run). None of these",
             "measures unseen conversations any more. conversations_heldout2.yml (50, written by a helper session",
             "on 2026-12-04 from the law texts and FORMAT.md only) has not been read by the developers: it is the",
             "figure for unseen conversations, valid until someone fixes failures from it. History: 17 of 159",
             "passed at the first run (session 5).", "",
             "| set | conversations | passed | pass rate |", "|---|---|---|---|"]
    for path in sets:
        mine = [r for r in results if r.set_name == path.name]
        if mine:
            passed = sum(r.passed for r in mine)
            lines.append(f"| {path.name} | {len(mine)} | {passed} | {100 * passed / len(mine):.1f} % |")
    lines += ["", "## Failures", ""]
    for r in results:
        if not r.passed:
            lines.append(f"- `{r.set_name}` **{r.conv_id}**: " + "; ".join(r.failures[:4]))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, default=DEFAULT_SETS)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "conversations.md")
    parser.add_argument("--base", help="use a bot already running at this URL (development)")
    parser.add_argument("--only", help="comma-separated conversation ids")
    parser.add_argument("--transcript", type=Path, help="write every turn and reply here")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.base:
        wanted = set(args.only.split(",")) if args.only else None
        transcript: list[str] = []
        results = [play(args.base, c, path.name, transcript) for path in args.sets for c in load(path)
                   if wanted is None or c.get("id") in wanted]
        if args.transcript:
            args.transcript.write_text("\n".join(transcript), encoding="utf-8")
        if wanted is None:
            args.out.write_text(report(results, args.sets), encoding="utf-8")
        print(f"{sum(r.passed for r in results)}/{len(results)} conversations passed")
        return 0
    from bot import modelstate
    from knowledge.loader import build_database
    from tests.servers import running_bot

    modelstate.train()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/kb.db"
        build_database(url)
        with running_bot(Path(tmp), {"DATABASE_URL": url}) as bot:
            results = [play(bot.bases[0], c, path.name) for path in args.sets for c in load(path)]
    args.out.write_text(report(results, args.sets), encoding="utf-8")
    passed = sum(r.passed for r in results)
    print(f"{passed}/{len(results)} conversations passed; report in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
