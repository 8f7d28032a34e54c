#!/usr/bin/env bash
# Creates benches/peer/.venv (if absent) and installs the pinned peer tools into it.
# Idempotent: re-running with everything installed does nothing but check versions.
# Env: PYTHON (default: python3.11, else python3) picks the interpreter for a new venv.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv"
SPACY_VERSION="3.8.18"
DATASKETCH_VERSION="2.0.0"

fail() { echo "peer/setup.sh: $*" >&2; exit 1; }

if [[ ! -x "$VENV/bin/python" ]]; then
    PY="${PYTHON:-}"
    if [[ -z "$PY" ]]; then
        if command -v python3.11 >/dev/null 2>&1; then PY=python3.11; else PY=python3; fi
    fi
    command -v "$PY" >/dev/null 2>&1 || fail "no Python interpreter ($PY) found; install Python 3.11"
    "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' \
        || fail "$PY is too old: need Python >= 3.9 (3.11 recommended)"
    "$PY" -m venv "$VENV" || fail "could not create venv at $VENV (on Debian: apt-get install python3-venv)"
fi

# Already installed at the pinned versions? Then nothing to do.
if "$VENV/bin/python" - "$SPACY_VERSION" "$DATASKETCH_VERSION" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
sys.exit(0 if (version("spacy"), version("datasketch")) == (sys.argv[1], sys.argv[2]) else 1)
PY
then
    exit 0
fi

echo "peer/setup.sh: installing spacy==$SPACY_VERSION datasketch==$DATASKETCH_VERSION into $VENV" >&2
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "spacy==$SPACY_VERSION" "datasketch==$DATASKETCH_VERSION" \
    || fail "pip install failed (is PyPI reachable? see the messages above)"
"$VENV/bin/python" -c 'import spacy, datasketch' \
    || fail "installed, but 'import spacy, datasketch' fails in $VENV"
