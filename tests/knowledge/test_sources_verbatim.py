"""Every verified article excerpt in legal_sources.yml is the official text: each passage (split at
the "……" that marks an omission) occurs in its law file in ../shared/reference/laws/."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
LAWS = ROOT.parent / "shared" / "reference" / "laws"


def _norm(text: str) -> str:
    """Whitespace, half/full-width brackets and colons do not count."""
    return re.sub(r"\s+", "", text).translate(str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，", ";": "；"}))


def _law_texts() -> dict[str, str]:
    return {p.name.split("-")[0]: _norm(p.read_text(encoding="utf-8")) for p in LAWS.glob("*.md")}


def _file_for(law: str, texts: dict[str, str]) -> str | None:
    name = law.removeprefix("中华人民共和国").removeprefix("最高人民法院关于").replace("的若干", "若干")
    return next((text for stem, text in texts.items() if stem in name or name in stem), None)


@pytest.mark.skipif(not LAWS.is_dir(), reason="the reference law texts are not on this machine")
def test_every_verified_article_excerpt_is_verbatim():
    texts = _law_texts()
    sources = yaml.safe_load((ROOT / "knowledge" / "seed" / "legal_sources.yml").read_text(encoding="utf-8"))
    wrong = []
    for source in sources:
        if not source.get("article") or not source.get("verified", True):
            continue  # a whole document or an unverified note
        text = _file_for(source["law"], texts)
        if text is None:
            wrong.append((source["key"], "no law file"))
            continue
        for piece in re.split(r"……|…", source.get("excerpt") or ""):
            piece = _norm(piece).strip("。；，")
            if piece and piece not in text:
                wrong.append((source["key"], piece[:30]))
                break
    assert not wrong, f"excerpts that are not the official text: {wrong}"
