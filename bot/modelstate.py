"""Decide whether the model is stale and train it when it is."""
from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable

from bot import paths

log = logging.getLogger(__name__)


def _input_files(inputs: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for item in inputs:
        if item.is_file():
            files.append(item)
        elif item.is_dir():
            files.extend(
                p for p in item.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")
            )
    return sorted(files)


def inputs_fingerprint(inputs: Iterable[Path] = paths.MODEL_INPUTS) -> str:
    """Content hash of everything that goes into training (paths + bytes)."""
    digest = hashlib.sha256()
    for file in _input_files(inputs):
        digest.update(str(file.relative_to(paths.ROOT)).encode())
        digest.update(b"\0")
        digest.update(file.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def model_is_current() -> bool:
    if not paths.MODEL_FILE.exists() or not paths.MODEL_FINGERPRINT.exists():
        return False
    return paths.MODEL_FINGERPRINT.read_text().strip() == inputs_fingerprint()


def rasa_env() -> dict:
    env = dict(os.environ)
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def train(force: bool = False) -> Path:
    """Train into models/yuefa.tar.gz unless the current model already matches its inputs."""
    paths.MODELS.mkdir(exist_ok=True)
    # One trainer at a time: two processes (a test run and `make run`) must not write the
    # same model file; the second one waits and then finds the model current.
    with open(paths.MODELS / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return _train_locked(force)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _train_locked(force: bool) -> Path:
    if not force and model_is_current():
        log.info("model is current: %s", paths.MODEL_FILE)
        return paths.MODEL_FILE
    fingerprint = inputs_fingerprint()
    cmd = [
        sys.executable, "-m", "rasa", "train",
        "--config", str(paths.CONFIG),
        "--domain", str(paths.DOMAIN),
        "--data", str(paths.DATA / "nlu"), str(paths.DATA / "rules"), str(paths.DATA / "stories"),
        "--out", str(paths.MODELS),
        "--fixed-model-name", paths.MODEL_NAME,
    ]
    print("==> training the model (inputs changed or no model yet)", flush=True)
    started = time.monotonic()
    subprocess.run(cmd, check=True, cwd=paths.ROOT, env=rasa_env())
    print(f"==> model trained in {time.monotonic() - started:.0f} s", flush=True)
    paths.MODEL_FINGERPRINT.write_text(fingerprint + "\n")
    return paths.MODEL_FILE
