"""RSS of the Rasa server while 10,000 new senders each send one message (issue 14).

    .venv/bin/python -m bench.memory [--senders 10000] [--out docs/memory.md]
    .venv/bin/python -m bench.memory --server http://127.0.0.1:5005 --pid <rasa pid>

Without --server it starts its own server pair (tests/servers.py) with the client rate
limit off (all senders come from one address) and the default tracker bound
($YUEFA_TRACKER_MAX, 5000). "/greet" keeps each turn cheap (no NLU model work beyond
the intent command, no action server call).
"""
from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import os
import tempfile
import time
import uuid
from pathlib import Path

import requests

from bot import paths


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def send(base: str, sender: str) -> int:
    response = requests.post(f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": "/greet"}, timeout=60)
    return response.status_code if response.json() else 0  # 0 = a silent turn


def flood(base: str, pid: int, senders: int, workers: int = 4, checkpoints: int = 5) -> dict:
    run = uuid.uuid4().hex[:8]
    for i in range(50):  # warm up: first-turn caches, lazily imported code
        send(base, f"warm-{run}-{i}")
    samples = [(0, rss_mb(pid), 0.0)]
    started = time.monotonic()
    codes: dict[int, int] = {}
    step = max(1, senders // checkpoints)
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        for start in range(0, senders, step):
            batch = [f"mem-{run}-{i}" for i in range(start, min(senders, start + step))]
            for code in pool.map(lambda s: send(base, s), batch):
                codes[code] = codes.get(code, 0) + 1
            samples.append((start + len(batch), rss_mb(pid), time.monotonic() - started))
    return {"samples": samples, "codes": codes}


def report(result: dict, senders: int, bound: str) -> str:
    samples = result["samples"]
    lines = [
        "# Memory with many new senders",
        "",
        "Written by `python -m bench.memory` (issue 14): each new sender sends one message",
        "(`/greet`) to the REST channel; the Rasa server's resident memory (VmRSS) is read",
        f"from /proc after each step. Tracker store: `bot.trackers.BoundedInMemoryTrackerStore`, "
        f"bound YUEFA_TRACKER_MAX={bound}.",
        "",
        "| new senders | RSS (MB) | elapsed (s) |",
        "|---:|---:|---:|",
    ]
    lines += [f"| {n} | {rss:.0f} | {t:.0f} |" for n, rss, t in samples]
    before, after = samples[0][1], samples[-1][1]
    lines += [
        "",
        f"RSS before: {before:.0f} MB, after {senders} senders: {after:.0f} MB "
        f"(+{after - before:.0f} MB). Responses by status: {result['codes']} (0 would be a silent turn).",
        "",
        "Once the store holds its bound, the least recently used conversations leave as new ones",
        "arrive, so memory levels off instead of growing with every sender. (CPython rarely",
        "returns freed memory to the system, so RSS stays near its high-water mark.)",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--senders", type=int, default=10_000)
    parser.add_argument("--server", help="base URL of a running server (needs --pid)")
    parser.add_argument("--pid", type=int, help="process id of that Rasa server")
    parser.add_argument("--out", default=str(paths.ROOT / "docs" / "memory.md"))
    args = parser.parse_args()
    bound = os.environ.get("YUEFA_TRACKER_MAX", "5000")
    with contextlib.ExitStack() as stack:
        if args.server:
            base, pid = args.server.rstrip("/"), args.pid
        else:
            from tests.servers import running_bot

            logs = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            bot = stack.enter_context(running_bot(logs, {"YUEFA_RATE_PER_CLIENT": "0", "YUEFA_RATE_PER_SENDER": "0"}))
            base, pid = bot.bases[0], bot.procs[1].pid
        result = flood(base, pid, args.senders)
    Path(args.out).write_text(report(result, args.senders, bound), encoding="utf-8")
    print(Path(args.out).read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
