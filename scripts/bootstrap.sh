#!/usr/bin/env bash
# One-step set-up used by `make run` and `make test`: Python 3.10 venv, install,
# knowledge database, model (trained only when its inputs changed).
# Usage: scripts/bootstrap.sh [run|test]
set -euo pipefail
mode="${1:-run}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export RASA_TELEMETRY_ENABLED=false
venv="$root/.venv"

find_python310() {
    if [ -n "${YUEFA_PYTHON:-}" ]; then echo "$YUEFA_PYTHON"; return; fi
    if command -v pyenv >/dev/null 2>&1; then
        local v
        v="$(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.[0-9]+)?$' | sort -V | tail -n 1 || true)"
        if [ -n "$v" ]; then PYENV_VERSION="$v" pyenv which python3.10; return; fi
    fi
    if command -v python3.10 >/dev/null 2>&1; then command -v python3.10; return; fi
    echo "error: Python 3.10 not found. Install it (e.g. 'pyenv install 3.10.13', or your" >&2
    echo "distribution's python3.10 package) or set YUEFA_PYTHON=/path/to/python3.10." >&2
    exit 1
}

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
    py="$(find_python310)"
    echo "==> creating .venv with $py"
    rm -rf "$venv"
    "$py" -m venv "$venv"
fi

# Reinstall only when the declared dependencies change.
stamp="$venv/.yuefa-install"
want="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    echo "==> installing the project into .venv (first time: a few minutes)"
    install_started=$SECONDS
    "$venv/bin/python" -m pip install --quiet --upgrade 'pip<25' 'setuptools<71' wheel
    "$venv/bin/python" -m pip install --quiet -c constraints.txt -e '.[test]'
    "$venv/bin/python" -m pip check
    echo "$want" > "$stamp"
    echo "==> installed in $((SECONDS - install_started)) s"
fi

if [ "$mode" = "test" ] && [ ! -x /usr/bin/chromium ]; then
    # The browser tests drive Debian's Chromium (Playwright's own download is unavailable).
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "==> installing Debian's chromium for the browser tests"
        apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null
    else
        echo "warning: /usr/bin/chromium missing; browser tests will be skipped (sudo apt-get install chromium)" >&2
    fi
fi

setup_started=$SECONDS
"$venv/bin/python" -m bot.cli setup
echo "==> knowledge database and model ready in $((SECONDS - setup_started)) s"
