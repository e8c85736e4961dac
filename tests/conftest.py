"""Shared fixtures: the shipped model (loaded once) and the postings we wrote for tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from roleclass.data import default_shared_dir
from roleclass.scorer import Scorer

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def scorer() -> Scorer:
    return Scorer.load()


@pytest.fixture(scope="session")
def fixture_text():
    def read(name: str) -> str:
        return (FIXTURES / name).read_text(encoding="utf-8")

    return read


@pytest.fixture(scope="session")
def case_posting() -> str:
    """LABELING.md's "case this exists for", as a full posting."""
    return (REPO / "examples" / "marketing_director_sales_duties.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    path = default_shared_dir()
    if not (path / "onet").is_dir():
        pytest.skip(f"../shared is absent ({path}): this test needs O*NET data or the real postings")
    return path
