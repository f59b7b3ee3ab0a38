"""Write nlu/offices.yml: the labelled offices' rows (nlu.evaluation.TRAINED_FILES) as Rasa training data.

The shipped model trains on nlu/data plus this file (nlu/tools/train.sh). Run it after a labelled
set changes; tests/nlu/test_nlu_tools.py fails while the file is out of date.

    .venv/bin/python nlu/tools/offices_data.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from nlu.training_data import OFFICES_DATA, offices_yaml


def main() -> None:
    text = offices_yaml()
    OFFICES_DATA.write_text(text, encoding="utf-8")
    print(f"wrote {OFFICES_DATA} ({text.count(chr(10) + '    - ')} examples)")


if __name__ == "__main__":
    main()
