"""Deterministic output (issue 5): the same input and model give the same JSON, byte for byte,
across processes (with different hash seeds), repeated calls, other postings in between,
and fresh scorers. Determinism across batch worker counts is in the batch tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from roleclass.scorer import Scorer

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
CASES = [
    (REPO / "examples" / "marketing_director_sales_duties.txt", "Marketing Director"),
    (FIXTURES / "software_engineer.html", "Software Engineer"),
    (FIXTURES / "mixed_small_company.txt", "Sales and Marketing Manager"),
    (FIXTURES / "sales_title_marketing_duties.txt", "Account Executive"),
    (FIXTURES / "marketing_director_real.txt", None),
]
SCRIPT = """
import json, sys
from roleclass.scorer import Scorer
scorer = Scorer.load()
for path, title in json.loads(sys.argv[1]):
    print(scorer.score(open(path, encoding="utf-8").read(), title).to_json(indent=2))
"""


def _in_fresh_process(hash_seed: str) -> str:
    cases = json.dumps([[str(path), title] for path, title in CASES])
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, cases], capture_output=True, text=True, encoding="utf-8", env=env, timeout=180
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _here(scorer: Scorer) -> str:
    return "".join(scorer.score(path.read_text(encoding="utf-8"), title).to_json(indent=2) + "\n" for path, title in CASES)


def test_same_json_bytes_across_processes_and_hash_seeds(scorer):
    first, second = _in_fresh_process("1"), _in_fresh_process("4242")
    assert first == second
    assert first == _here(scorer)


def test_command_line_json_is_the_same_bytes_as_the_library(scorer):
    path, title = CASES[0]
    done = subprocess.run(
        [sys.executable, "-m", "roleclass", "score", str(path), "--title", title, "--json"],
        capture_output=True, timeout=120, env={**os.environ, "PYTHONHASHSEED": "7"},
    )
    assert done.returncode == 0, done.stderr
    expected = scorer.score(path.read_text(encoding="utf-8"), title).to_json(indent=2) + "\n"
    assert done.stdout == expected.encode("utf-8")


def test_repeated_calls_and_other_postings_in_between_change_nothing(scorer):
    path, title = CASES[0]
    text = path.read_text(encoding="utf-8")
    first = scorer.score(text, title).to_json()
    for other, other_title in CASES[1:]:
        scorer.score(other.read_text(encoding="utf-8"), other_title)
        scorer.score("Ein Vertriebsmitarbeiter (m/w/d) ruft täglich 40 Neukunden an. 🚀 ☎️ " * 5)
    assert [scorer.score(text, title).to_json() for _ in range(3)] == [first] * 3


@pytest.mark.parametrize("index", range(len(CASES)))
def test_a_fresh_scorer_gives_the_same_bytes(scorer, index):
    path, title = CASES[index]
    text = path.read_text(encoding="utf-8")
    assert Scorer.load().score(text, title).to_json() == scorer.score(text, title).to_json()


PROBABILITIES_SCRIPT = """
import hashlib
from roleclass.clean import clean_text
from roleclass.data import load_own_postings, repo_root
from roleclass.duties import statements
from roleclass.scorer import Scorer
detector = Scorer.load().model.duty_detector
digest = hashlib.sha256()
for posting in load_own_postings(repo_root() / "corpus")[:120]:
    cleaned = clean_text(posting.text)
    digest.update(detector.duty_probabilities(cleaned, statements(cleaned)[1]).tobytes())
print(digest.hexdigest())
"""


def test_p_duty_is_the_same_to_the_last_bit_whatever_the_hash_seed():
    """The JSON rounds P(duty)'s consequences to four places, which would hide a last-bit
    difference: the detector's log-odds add its features up in an order that must not
    follow the process's string hashes (the cues and heading words were once sets)."""
    digests = {
        subprocess.run(
            [sys.executable, "-c", PROBABILITIES_SCRIPT], capture_output=True, text=True, timeout=180,
            env={**os.environ, "PYTHONHASHSEED": seed}, check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(digests) == 1
