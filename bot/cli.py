"""`python -m bot.cli {setup,train,run}` — what `make run` / `make test` call."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import time

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


def server_commands(
    host: str, port: int, action_port: int, endpoints: str | None = None
) -> tuple[list[str], list[str]]:
    """The action server and the Rasa server, as argv lists.

    `endpoints` defaults to $YUEFA_ENDPOINTS, else endpoints.yml (in-memory tracker store).
    """
    actions = [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port)]
    rasa = [
        sys.executable, "-m", "rasa", "run",
        "--model", str(paths.MODEL_FILE),
        "--enable-api",
        "--interface", host,
        "--port", str(port),
        "--credentials", str(paths.CREDENTIALS),
        "--endpoints", endpoints or os.environ.get("YUEFA_ENDPOINTS", str(paths.ENDPOINTS)),
        "--cors", os.environ.get("YUEFA_CORS", "*"),
    ]
    if os.environ.get("RASA_AUTH_TOKEN"):
        rasa += ["--auth-token", os.environ["RASA_AUTH_TOKEN"]]
    return actions, rasa


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


def cmd_run(args: argparse.Namespace) -> int:
    # A shell starts background jobs with SIGINT ignored, and Python then keeps ignoring it:
    # Ctrl-C (or SIGINT to the group) would stop the servers but not this supervisor, which
    # would report them as crashed. Take SIGINT back; the servers then inherit the default too.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    env = modelstate.rasa_env()
    env.setdefault("ACTION_ENDPOINT_URL", f"http://127.0.0.1:{args.action_port}/webhook")
    # rasa_sdk listens on 0.0.0.0 unless told otherwise; keep it as private as the API.
    env.setdefault("SANIC_HOST", args.host)
    # Used only by endpoints.production.yml; defaults so a local Redis just works.
    env.setdefault("REDIS_HOST", "127.0.0.1")
    env.setdefault("REDIS_PORT", "6379")
    env.setdefault("REDIS_DB", "0")
    actions_cmd, rasa_cmd = server_commands(args.host, args.port, args.action_port)
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
        if not wait_until_up(f"{base}/status", 300, procs):
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
            f"  HTTP API           : {base}/ (bound to {args.host})\n"
            "Press Ctrl-C to stop.\n",
            flush=True,
        )
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
        print("error: a server exited; stopping the other", file=sys.stderr)
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
