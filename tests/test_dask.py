"""roleclass.dask: the batch columns on a Dask DataFrame, and `batch --scheduler` on a LocalCluster."""

from __future__ import annotations

import csv
import json
import os
import socket
from pathlib import Path

import pytest

pytest.importorskip("dask.dataframe", reason="Dask is optional: pip install 'roleclass[dask]'")
pytest.importorskip("distributed", reason="dask.distributed is optional: pip install 'roleclass[dask]'")

import dask.dataframe as dd
import pandas as pd
from click.testing import CliRunner
from distributed import LocalCluster

from roleclass.batch import OUTPUT_COLUMNS, classify_file
from roleclass.cli import cli
from roleclass.dask import classify, classify_file_on_cluster
from roleclass.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "batch"
MODEL = os.environ.get("ROLECLASS_TEST_MODEL")
MODEL_ARGS = ["--model", MODEL, "--trust-model"] if MODEL else []


def postings() -> list[dict[str, str]]:
    with (FIXTURES / "postings.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@pytest.fixture(scope="module")
def thread_cluster():
    with LocalCluster(n_workers=1, processes=False, threads_per_worker=1, dashboard_address=None) as local:
        yield local


@pytest.fixture(scope="module")
def process_cluster():
    """Workers in their own processes: the task, the model path and the results are pickled
    across a process boundary, and each worker loads the model itself."""
    try:
        local = LocalCluster(n_workers=1, processes=True, threads_per_worker=1, dashboard_address=":0")
    except Exception as exc:  # a sandbox without process spawning or local sockets
        pytest.skip(f"a process-based LocalCluster cannot start here ({type(exc).__name__}: {exc})")
    with local:
        yield local


@pytest.fixture(scope="module", params=["threads", "processes"])
def cluster(request):
    return request.getfixturevalue(
        {"threads": "thread_cluster", "processes": "process_cluster"}[request.param]
    )


def test_classify_adds_the_batch_columns_partition_by_partition() -> None:
    rows = [*postings(), {"id": "empty", "title": "Sales Rep", "description": "  "}]
    ddf = dd.from_pandas(pd.DataFrame(rows), npartitions=3)
    classified = classify(ddf, text_col="description", title_col="title", model_path=MODEL, trust=bool(MODEL))
    assert list(classified.columns) == ["id", "title", "description", *OUTPUT_COLUMNS]
    frame = classified.compute(scheduler="sync")
    assert list(frame["id"]) == [r["id"] for r in rows]
    by_id = frame.set_index("id")
    assert by_id.loc["mkt-dir-cold", "verdict"] == "hybrid"
    assert by_id.loc["mkt-dir-cold", "mismatch"] is True
    assert isinstance(by_id.loc["mkt-dir-cold", "evidence"], list)
    assert by_id.loc["empty", "verdict"] is None and "empty" in by_id.loc["empty", "error"]
    with pytest.raises(InputError, match="no text column 'body'"):
        classify(ddf, text_col="body")


def test_scheduler_path_writes_what_local_batch_writes(cluster: LocalCluster, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["id", "title", "description"])
        writer.writeheader()
        writer.writerows(postings())
    local, remote = tmp_path / "local.csv", tmp_path / "remote.csv"
    classify_file(source, local, scorer_path=MODEL, trust=bool(MODEL), workers=1, progress=False)
    summary = classify_file_on_cluster(
        source, remote, cluster.scheduler_address, scorer_path=MODEL, trust=bool(MODEL), progress=False
    )
    assert summary.rows == len(postings()) and summary.errors == 0
    assert remote.read_bytes() == local.read_bytes()


def test_the_model_crosses_a_process_boundary(process_cluster: LocalCluster) -> None:
    from distributed import Client

    from roleclass import classify_frame

    rows = [*postings()[:5], {"id": "empty", "title": "Sales Rep", "description": ""}]
    ddf = dd.from_pandas(pd.DataFrame(rows), npartitions=2)
    with Client(process_cluster) as client:
        pids = client.run(os.getpid)
        assert os.getpid() not in pids.values()  # the scoring happens in another process
        remote = classify(ddf, "description", "title", MODEL, bool(MODEL)).compute()
    local = classify_frame(pd.DataFrame(rows), model_path=MODEL, trust=bool(MODEL))
    assert list(remote.columns) == list(local.columns)
    for column in OUTPUT_COLUMNS:
        assert remote[column].tolist() == local[column].tolist() or (
            remote[column].isna().tolist() == local[column].isna().tolist()
            and remote[column].dropna().tolist() == local[column].dropna().tolist()
        ), column
    assert remote.iloc[-1]["error"] == "empty text: the posting is empty"


def test_cli_batch_with_scheduler_to_parquet(thread_cluster: LocalCluster, tmp_path: Path) -> None:
    cluster = thread_cluster
    import pyarrow.parquet as pq

    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in postings()[:4]), encoding="utf-8"
    )
    out = tmp_path / "out.parquet"
    result = CliRunner().invoke(
        cli, ["batch", str(source), "-o", str(out), "--scheduler", cluster.scheduler_address, *MODEL_ARGS]
    )
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.column("id").to_pylist() == [p["id"] for p in postings()[:4]]
    assert table.column("verdict").to_pylist()[0] == "hybrid"
    assert isinstance(table.column("evidence").to_pylist()[0], list)


def test_an_unreachable_scheduler_is_a_quick_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from roleclass import dask as roleclass_dask

    monkeypatch.setattr(roleclass_dask, "SCHEDULER_TIMEOUT_S", 2)
    source = tmp_path / "in.csv"
    source.write_text("id,description\n1,Cold call prospects\n", encoding="utf-8")
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    result = CliRunner().invoke(
        cli, ["batch", str(source), "-o", str(tmp_path / "out.csv"), "--scheduler", f"tcp://127.0.0.1:{port}"]
    )
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("roleclass: error: cannot reach the Dask scheduler")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out.csv").exists()
