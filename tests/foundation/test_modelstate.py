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
