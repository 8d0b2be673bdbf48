"""`python -m bot.cli {setup,train,run}` — what `make run` / `make test` call."""
from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Mapping, Optional
from urllib.parse import unquote, urlsplit

import requests

from bot import modelstate, paths


def build_database() -> None:
    from knowledge.loader import build_database as _build

    url = _build()
    print(f"==> knowledge database ready: {url}", flush=True)


def cmd_setup(_args: argparse.Namespace) -> int:
    build_database()
    modelstate.train()
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    modelstate.train(force=args.force)
    return 0


def api_enabled(env: Mapping[str, str]) -> bool:
    return (env.get("YUEFA_ENABLE_API") or "").strip().lower() in ("1", "true", "yes", "on")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def api_problem(host: str, env: Mapping[str, str]) -> Optional[str]:
    """Why the HTTP API settings are unsafe, or None. The API reads every conversation and
    replaces the model, so it is off unless asked for, and then only with a token."""
    if not api_enabled(env):
        return None
    if not (env.get("RASA_AUTH_TOKEN") or "").strip():
        where = "on a public interface " if not is_loopback(host) else ""
        return (f"YUEFA_ENABLE_API=1 {where}needs RASA_AUTH_TOKEN: the HTTP API can read every "
                "conversation and replace the model. Set a long random RASA_AUTH_TOKEN or unset YUEFA_ENABLE_API.")
    return None


def uses_redis(endpoints: str) -> bool:
    try:
        return "type: redis" in Path(endpoints).read_text(encoding="utf-8")
    except OSError:
        return False


def production_problem(endpoints: str, env: Mapping[str, str]) -> Optional[str]:
    """Replicas must share one Redis (trackers, locks, WeChat state) and one sender salt."""
    if not uses_redis(endpoints):
        return None
    missing = [name for name in ("REDIS_URL", "YUEFA_SENDER_SALT") if not (env.get(name) or "").strip()]
    if missing:
        return (f"{Path(endpoints).name} needs {' and '.join(missing)}: every replica must use the same "
                "Redis (REDIS_URL=redis://[:password@]host:6379/0, rediss:// for TLS) and the same "
                "YUEFA_SENDER_SALT (a long random secret) — see docs/deployment.md.")
    return None


def redis_env(env: Mapping[str, str]) -> dict:
    """REDIS_HOST/PORT/DB/PASSWORD/USE_SSL for endpoints.production.yml, from REDIS_URL when it
    is set (the one Redis setting the WeChat state uses too), else local defaults."""
    url = (env.get("REDIS_URL") or "").strip()
    if not url:
        return {"REDIS_HOST": env.get("REDIS_HOST", "127.0.0.1"), "REDIS_PORT": env.get("REDIS_PORT", "6379"),
                "REDIS_DB": env.get("REDIS_DB", "0"), "REDIS_PASSWORD": env.get("REDIS_PASSWORD", ""),
                "REDIS_USE_SSL": env.get("REDIS_USE_SSL", "")}
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise SystemExit(f"error: REDIS_URL must start with redis:// or rediss://, not {parts.scheme}://")
    return {
        "REDIS_HOST": parts.hostname or "127.0.0.1",
        "REDIS_PORT": str(parts.port or 6379),
        "REDIS_DB": (parts.path or "/0").lstrip("/") or "0",
        "REDIS_PASSWORD": unquote(parts.password or ""),
        # Rasa passes the value to redis-py as is: any non-empty string switches TLS on.
        "REDIS_USE_SSL": "true" if parts.scheme == "rediss" else "",
    }


def server_commands(
    host: str, port: int, action_port: int, endpoints: str | None = None, api_token: str | None = None
) -> tuple[list[str], list[str]]:
    """The action server and the Rasa server, as argv lists.

    `endpoints` defaults to $YUEFA_ENDPOINTS, else endpoints.yml (bounded in-memory trackers).
    The HTTP API is on only with `api_token` (its --auth-token). No --cors: CORS applies to
    the channel routes only ($YUEFA_CORS, bot/channels/http_guard.py), never to the API.
    """
    actions = [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port)]
    rasa = [
        sys.executable, "-m", "rasa", "run",
        "--model", str(paths.MODEL_FILE),
        "--interface", host,
        "--port", str(port),
        "--credentials", str(paths.CREDENTIALS),
        "--endpoints", endpoints or os.environ.get("YUEFA_ENDPOINTS", str(paths.ENDPOINTS)),
    ]
    if api_token:
        # one argument: a token that starts with "-" (token_urlsafe makes them) is not an option
        rasa += ["--enable-api", f"--auth-token={api_token}"]
    return actions, rasa


def server_env(env: dict) -> dict:
    """The servers' environment: Redis settings derived from REDIS_URL, and the action
    server on loopback (rasa_sdk would listen on 0.0.0.0) unless $YUEFA_ACTION_HOST says so."""
    env = dict(env)
    env.update(redis_env(env))
    env["SANIC_HOST"] = env.get("YUEFA_ACTION_HOST") or "127.0.0.1"
    return env


def wait_until_up(url: str, timeout: float, procs: list[subprocess.Popen]) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            return False
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.5)
    return False


class ActionRestarts:
    """At most `limit` action-server restarts within `window` seconds: a crash now and then is
    survived, a server that cannot start is not restarted forever."""

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit, self.window, self.times = limit, window, []

    def allowed(self, now: float) -> bool:
        self.times = [t for t in self.times if now - t < self.window]
        if len(self.times) >= self.limit:
            return False
        self.times.append(now)
        return True


def cmd_run(args: argparse.Namespace) -> int:
    # A shell starts background jobs with SIGINT ignored, and Python then keeps ignoring it:
    # Ctrl-C (or SIGINT to the group) would stop the servers but not this supervisor, which
    # would report them as crashed. Take SIGINT back; the servers then inherit the default too.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    env = server_env(modelstate.rasa_env())
    env.setdefault("ACTION_ENDPOINT_URL", f"http://127.0.0.1:{args.action_port}/webhook")
    endpoints = env.get("YUEFA_ENDPOINTS", str(paths.ENDPOINTS))
    for problem in (api_problem(args.host, env), production_problem(endpoints, env)):
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            return 2
    token = env.get("RASA_AUTH_TOKEN", "").strip() if api_enabled(env) else None
    actions_cmd, rasa_cmd = server_commands(args.host, args.port, args.action_port, endpoints, token)
    started = time.monotonic()
    procs = [
        subprocess.Popen(actions_cmd, cwd=paths.ROOT, env=env),
        subprocess.Popen(rasa_cmd, cwd=paths.ROOT, env=env),
    ]

    def stop(*_signal_args) -> None:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()

    signal.signal(signal.SIGTERM, lambda *a: (stop(), sys.exit(0)))
    base = f"http://{args.host}:{args.port}"
    try:
        if not wait_until_up(f"{base}/", 300, procs):  # "/" answers once the model is loaded
            print("error: the Rasa server did not start; see the log above", file=sys.stderr)
            stop()
            return 1
        print(
            "\n粤法助手 is running "
            f"(started in {time.monotonic() - started:.0f} s):\n"
            f"  web chat demo page : {base}/widget/\n"
            f"  REST channel       : POST {base}/webhooks/rest/webhook "
            '{"sender": "me", "message": "你好"}\n'
            f"  socket.io channel  : {base}/socket.io\n"
            + (f"  HTTP API           : {base}/ (token required)\n" if token else
               "  HTTP API           : off (YUEFA_ENABLE_API=1 with RASA_AUTH_TOKEN turns it on)\n")
            + 
            "Press Ctrl-C to stop.\n",
            flush=True,
        )
        restarts = ActionRestarts()
        while procs[1].poll() is None:
            if procs[0].poll() is not None:
                # The Rasa server keeps answering (the 12348 message) while the action server is
                # down; bring it back rather than taking the whole bot down with it.
                if not restarts.allowed(time.monotonic()):
                    print("error: the action server keeps exiting; stopping", file=sys.stderr)
                    return 1
                print(f"warning: the action server exited ({procs[0].returncode}); restarting it",
                      file=sys.stderr, flush=True)
                procs[0] = subprocess.Popen(actions_cmd, cwd=paths.ROOT, env=env)
            time.sleep(0.5)
        print("error: the Rasa server exited; stopping the action server", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping …", flush=True)
        return 0
    finally:
        stop()


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(prog="yuefa", description="粤法助手 command line")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="build the knowledge database and train the model if stale").set_defaults(func=cmd_setup)
    train = sub.add_parser("train", help="train the model if its inputs changed")
    train.add_argument("--force", action="store_true", help="train even if the model is current")
    train.set_defaults(func=cmd_train)
    run = sub.add_parser("run", help="start the Rasa server and the action server")
    run.add_argument("--host", default=os.environ.get("YUEFA_HOST", "127.0.0.1"))
    run.add_argument("--port", type=int, default=int(os.environ.get("YUEFA_PORT", "5005")))
    run.add_argument("--action-port", type=int, default=int(os.environ.get("YUEFA_ACTION_PORT", "5055")))
    run.set_defaults(func=cmd_run)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
