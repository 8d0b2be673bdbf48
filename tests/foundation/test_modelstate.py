"""The model is retrained exactly when one of its inputs changes."""
from bot import modelstate


def test_fingerprint_changes_with_content(tmp_path, monkeypatch):
    monkeypatch.setattr(modelstate.paths, "ROOT", tmp_path)
    config = tmp_path / "config.yml"
    data = tmp_path / "data"
    data.mkdir()
    config.write_text("a: 1\n")
    (data / "nlu.yml").write_text("x\n")
    inputs = [config, data]
    first = modelstate.inputs_fingerprint(inputs)
    assert modelstate.inputs_fingerprint(inputs) == first  # stable
    (data / "nlu.yml").write_text("y\n")
    second = modelstate.inputs_fingerprint(inputs)
    assert second != first
    (data / "more.yml").write_text("y\n")
    assert modelstate.inputs_fingerprint(inputs) != second  # a new file counts


def test_model_missing_means_stale(tmp_path, monkeypatch):
    monkeypatch.setattr(modelstate.paths, "MODEL_FILE", tmp_path / "none.tar.gz")
    assert not modelstate.model_is_current()


def test_concurrent_trainers_train_once(tmp_path, monkeypatch):
    """A test run and `make run` starting together: one trains, the other waits and finds
    the model current (the file lock in modelstate.train)."""
    import threading
    import time

    monkeypatch.setattr(modelstate.paths, "MODELS", tmp_path)
    monkeypatch.setattr(modelstate.paths, "MODEL_FILE", tmp_path / "yuefa.tar.gz")
    monkeypatch.setattr(modelstate.paths, "MODEL_FINGERPRINT", tmp_path / "yuefa.fingerprint")
    monkeypatch.setattr(modelstate, "inputs_fingerprint", lambda *args: "inputs-v1")
    calls, active, most_active = [], [0], [0]
    guard = threading.Lock()

    def fake_rasa_train(cmd, **kwargs):
        with guard:
            calls.append(cmd)
            active[0] += 1
            most_active[0] = max(most_active[0], active[0])
        time.sleep(0.3)  # long enough for the other thread to arrive while this one trains
        (tmp_path / "yuefa.tar.gz").write_bytes(b"model")
        with guard:
            active[0] -= 1

    monkeypatch.setattr(modelstate.subprocess, "run", fake_rasa_train)
    threads = [threading.Thread(target=modelstate.train) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and most_active[0] == 1
