"""knowledge/ must stay usable without Rasa (the issue: pure Python engine)."""
from __future__ import annotations

import subprocess
import sys


def test_knowledge_imports_no_rasa():
    code = ("import sys, knowledge.api, knowledge.loader, knowledge.import_offices; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('rasa', 'rasa_sdk', 'tensorflow')); "
            "print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
