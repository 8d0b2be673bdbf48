"""The training data, domain and conversation stories are consistent and pass Rasa's checks."""
from __future__ import annotations

import subprocess
import sys

import pytest

from bot import modelstate, paths

RASA = [sys.executable, "-m", "rasa"]
TRAINING_DATA = [str(paths.DATA / d) for d in ("nlu", "rules", "stories")]


def test_rasa_data_validate():
    result = subprocess.run(
        RASA + ["data", "validate", "--domain", str(paths.DOMAIN), "--data", *TRAINING_DATA],
        cwd=paths.ROOT, env=modelstate.rasa_env(), capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


@pytest.mark.model
def test_conversation_stories_pass(trained_model, tmp_path):
    """`rasa test core` on tests/stories with --fail-on-prediction-errors."""
    result = subprocess.run(
        RASA + [
            "test", "core",
            "--model", str(trained_model),
            "--stories", str(paths.ROOT / "tests" / "stories"),
            "--endpoints", str(paths.ENDPOINTS),
            "--out", str(tmp_path / "results"),
            "--fail-on-prediction-errors",
        ],
        cwd=paths.ROOT,
        env={**modelstate.rasa_env(), "ACTION_ENDPOINT_URL": "http://127.0.0.1:9/webhook"},
        capture_output=True, text=True, timeout=900,
    )
    failed = tmp_path / "results" / "failed_test_stories.yml"
    detail = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, (result.stdout[-3000:] + result.stderr[-3000:] + detail[-4000:])
