"""A `roleclass batch` parent that is killed leaves no process behind, and SIGTERM ends a
run as Ctrl-C does (exit 143, complete rows only, resumable).

These run the real command in a subprocess with two workers (a forkserver, two workers
and a resource tracker), so they take some seconds each. Linux only: processes are
found through /proc.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from roleclass.errors import EXIT_TERMINATED

FIXTURES = Path(__file__).parent / "fixtures" / "batch"
MODEL = os.environ.get("ROLECLASS_TEST_MODEL")
MODEL_ARGS = ["--model", MODEL, "--trust-model"] if MODEL else []
ROWS = 1500  # enough to run for many seconds on two busy cores

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return None if fields[0] == "Z" else int(fields[1])  # a zombie is already gone


def descendants(pid: int) -> set[int]:
    """Every living process below ``pid``."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            parent = _parent_of(int(entry.name))
            if parent is not None:
                parents[int(entry.name)] = parent
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if _parent_of(pid) is not None}


@pytest.fixture(scope="module")
def big_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = [
        json.loads(line) for line in (FIXTURES / "postings.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    path = tmp_path_factory.mktemp("signals") / "big.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for k in range(ROWS):
            row = dict(rows[k % len(rows)], id=f"{rows[k % len(rows)]['id']}-{k}")
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def start(source: Path, out: Path) -> tuple[subprocess.Popen, set[int]]:
    """A running batch with its pool up: (the parent, every process below it)."""
    command = [sys.executable, "-m", "roleclass", "batch", str(source), "-o", str(out), "--workers", "2",
               "--chunk-size", "4", "--no-progress", *MODEL_ARGS]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.monotonic() + 120
    children: set[int] = set()
    while time.monotonic() < deadline and process.poll() is None:
        children = descendants(process.pid)
        if len(children) >= 4:  # resource tracker, forkserver, two workers
            break
        time.sleep(0.2)
    assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
    assert len(children) >= 4, children
    partial = out.with_name(out.name + ".partial")  # where a fresh run writes until it ends
    while time.monotonic() < deadline and process.poll() is None:
        if partial.exists() and partial.read_bytes().count(b"\n") > 20:
            break  # the workers are scoring
        time.sleep(0.2)
    assert process.poll() is None
    return process, children | descendants(process.pid)


def wait_gone(pids: set[int], seconds: float = 20) -> set[int]:
    deadline = time.monotonic() + seconds
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return alive(pids)


def test_kill_9_of_the_parent_leaves_no_process(big_input: Path, tmp_path: Path) -> None:
    process, children = start(big_input, tmp_path / "out.csv")
    process.kill()
    process.wait()
    left = wait_gone(children)
    for pid in left:  # clean up before failing
        os.kill(pid, signal.SIGKILL)
    assert not left, f"processes left after kill -9 of the parent: {sorted(left)}"


def test_sigterm_ends_the_run_cleanly_and_it_resumes(big_input: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    process, children = start(big_input, out)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == EXIT_TERMINATED, stderr.decode()
    assert stderr.decode().strip().splitlines()[-1] == "roleclass: error: terminated (SIGTERM)"
    left = wait_gone(children)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"processes left after SIGTERM: {sorted(left)}"
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert 0 < len(rows) < ROWS
    assert all(row["verdict"] or row["error"] or row["reason"] for row in rows)  # complete rows only
    ids = [json.loads(line)["id"] for line in big_input.read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in rows] == ids[: len(rows)]
