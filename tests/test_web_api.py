"""The web app through FastAPI's TestClient: the JSON API answers with `score --json`'s
schema, errors are clear 4xx (413, 400, 415, 422, never 500), and the page escapes
posting text and marks the deciding phrases by their offsets."""

from __future__ import annotations

import json
import re
import socket
import warnings

import pytest
from click.testing import CliRunner

pytest.importorskip("fastapi", reason="the web extra is not installed (pip install 'roleclass[web]')")
with warnings.catch_warnings():  # starlette's TestClient warns that httpx is deprecated in favour of httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from roleclass.cli import cli
from roleclass.result import EvidenceItem
from roleclass.web import create_app
from roleclass.web.view import highlight

TITLE = "Marketing Director"


@pytest.fixture(scope="module")
def client(scorer):
    return TestClient(create_app(scorer), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def small(scorer):
    """An app with tiny limits, to test them cheaply."""
    return TestClient(create_app(scorer, max_body_bytes=1000, max_batch=2), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def case_json(client, case_posting):
    response = client.post("/api/score", json={"text": case_posting, "title": TITLE})
    assert response.status_code == 200, response.text
    return response.json()


# -- /api/score -----------------------------------------------------------------------------
def test_score_is_the_cli_json(case_json, case_posting, tmp_path):
    posting = tmp_path / "posting.txt"
    posting.write_text(case_posting, encoding="utf-8")
    out = CliRunner().invoke(cli, ["score", str(posting), "--title", TITLE, "--json"])
    assert out.exit_code == 0, out.output
    assert case_json == json.loads(out.output)
    assert (case_json["verdict"], case_json["title_claim"], case_json["duties"]) == (
        "hybrid",
        "marketing",
        "sales",
    )
    assert case_json["mismatch"] is True
    assert all(case_json["text"][e["start"] : e["end"]] == e["phrase"] for e in case_json["evidence"])


def test_input_error_is_422_with_its_message(client):
    response = client.post("/api/score", json={"text": "   ", "title": TITLE})
    assert response.status_code == 422
    assert response.json() == {"detail": "the posting is empty"}


@pytest.mark.parametrize("path", ["/api/score", "/api/batch"])
@pytest.mark.parametrize(
    "body", [b'{"text": ', b"not json", b"{'text': 'single quotes'}", b"[1, 2,]", b"\xff\xfe{"]
)
def test_bad_json_is_a_clear_400(client, path, body):
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert "JSON" in detail or "UTF-8" in detail or "parsing the body" in detail


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"title": TITLE}, "text: Field required"),
        ({"text": 5}, "text: Input should be a valid string"),
        ([{"text": "Make calls"}], "valid dictionary"),
        ({"text": "Make calls", "colour": "red"}, "colour: Extra inputs are not permitted"),
    ],
)
def test_a_body_of_the_wrong_shape_is_422(client, body, words):
    response = client.post("/api/score", json=body)
    assert response.status_code == 422
    assert words in response.json()["detail"]


def test_a_body_over_the_limit_is_413(small, client):
    known = small.post("/api/score", content=b"x" * 5000, headers={"content-type": "application/json"})
    assert known.status_code == 413
    assert "5,000 bytes; the limit is 1,000 bytes" in known.json()["detail"]

    streamed = small.post(
        "/api/score", content=iter([b"x" * 600, b"x" * 600]), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    assert "over the limit of 1,000 bytes" in streamed.json()["detail"]

    page = small.post("/", data={"title": TITLE, "text": "Make calls. " * 200})
    assert page.status_code == 413
    assert "text/html" in page.headers["content-type"] and "the limit is 1,000 bytes" in page.text

    default = client.post(
        "/api/score", content=b" " * (10 * 2**20 + 1), headers={"content-type": "application/json"}
    )
    assert default.status_code == 413
    assert "10 MiB" in default.json()["detail"]


# -- /api/batch -----------------------------------------------------------------------------
def test_batch_of_a_json_list(client, case_posting, case_json):
    postings = [{"text": case_posting, "title": TITLE, "id": "a-1"}, {"text": "", "id": 7}]
    response = client.post("/api/batch", json=postings)
    assert response.status_code == 200, response.text
    body = response.json()
    first, second = body["results"]
    assert (first["row"], first["id"], first["error"]) == (1, "a-1", None)
    assert first["result"] == case_json
    assert (second["row"], second["id"], second["result"]) == (2, 7, None)
    assert second["error"] == "empty text: the posting is empty"  # as `roleclass batch` says it
    # each result also carries the columns `roleclass batch` writes, typed as its JSON Lines
    assert (first["verdict"], first["mismatch"], first["confidence"]) == (
        "hybrid",
        True,
        case_json["confidence"],
    )
    assert first["review"] == case_json["review"] and first["review_reason"] == case_json["review_reason"]
    assert all(
        case_posting[e["input_start"] : e["input_end"]] == e["phrase"]
        for e in first["evidence"]
        if e["input_exact"]
    )
    assert second["verdict"] is None and second["evidence"] is None
    assert body["summary"] == {
        "postings": 2,
        "verdicts": {"sales": 0, "marketing": 0, "hybrid": 1, "other": 0},
        "mismatches": 1,
        "errors": 1,
    }


def test_batch_internal_error_is_that_rows_error_not_a_500(scorer, case_posting, monkeypatch):
    """One posting that raises inside the scorer costs only its own row (issue 11)."""
    from roleclass.scorer import Scorer

    real = Scorer._clean  # the first per-posting step score and score_many share

    def flaky(self, text, title=None):
        if "BOOM" in text:
            raise RuntimeError("the spaCy pipeline fell over")
        return real(self, text, title)

    monkeypatch.setattr(Scorer, "_clean", flaky)
    client = TestClient(create_app(scorer), raise_server_exceptions=False)
    postings = [
        {"text": case_posting, "title": TITLE},
        {"text": "BOOM " + case_posting},
        {"text": case_posting},
    ]
    response = client.post("/api/batch", json=postings)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["row"] for r in results] == [1, 2, 3]
    assert results[1]["error"] == "internal error (RuntimeError): the spaCy pipeline fell over"
    assert results[1]["result"] is None and results[1]["verdict"] is None
    assert results[0]["error"] is None and results[0]["verdict"] == "hybrid"
    assert results[2]["error"] is None and results[2]["result"]["title_claim"] is None
    assert response.json()["summary"]["errors"] == 1


def test_report_scores_with_the_apps_scorer_under_its_lock(scorer, case_posting, monkeypatch):
    """/report loads no second model (nothing in batch's worker slot) and scores under the lock."""
    from roleclass import runner
    from roleclass.scorer import Scorer

    def no_load(*args, **kwargs):
        raise AssertionError("the app loaded a second model")

    monkeypatch.setattr(runner, "init_worker", no_load)
    monkeypatch.setattr(Scorer, "load", classmethod(no_load))
    app = create_app(scorer)
    held = []
    real = Scorer.score_many

    def spy(self, texts, titles=None, batch_size=64):
        held.append(app.state.score_lock.locked())
        return real(self, texts, titles, batch_size)

    monkeypatch.setattr(Scorer, "score_many", spy)
    quoted = case_posting.replace('"', '""')
    csv_text = f'id,title,description\nx1,{TITLE},"{quoted}"\n'
    response = TestClient(app).post(
        "/report", files={"file": ("p.csv", csv_text.encode(), "text/csv")}, data={"report_format": "jsonl"}
    )
    assert response.status_code == 200, response.text[-300:]
    entry = json.loads(response.text.splitlines()[0])
    assert entry["id"] == "x1" and entry["review"] in (True, False)
    assert held and all(held)


def test_batch_of_an_uploaded_file(client, case_posting, case_json):
    quoted = case_posting.replace('"', '""')
    csv_text = f'id,title,description\nx1,{TITLE},"{quoted}"\nx2,Sales Rep,\n'
    response = client.post("/api/batch", files={"file": ("postings.csv", csv_text.encode(), "text/csv")})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [(r["row"], r["id"], r["title"]) for r in results] == [(1, "x1", TITLE), (2, "x2", "Sales Rep")]
    assert results[0]["result"] == case_json
    assert results[1]["result"] is None and "empty" in results[1]["error"]

    jsonl = json.dumps({"id": 3, "title": TITLE, "text": case_posting}) + "\n"
    response = client.post(
        "/api/batch", files={"file": ("postings.jsonl", jsonl.encode(), "application/x-ndjson")}
    )
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["result"]["verdict"] == "hybrid"
    assert response.json()["results"][0]["id"] == 3


def test_batch_rejections_are_clear(client, small):
    cases = [
        (client.post("/api/batch", json={"text": "a posting"}), 422, "expected a JSON list"),
        (client.post("/api/batch", json=[{"txt": "a posting"}]), 422, "posting 1: text: Field required"),
        (small.post("/api/batch", json=[{"text": "a"}] * 3), 413, "the limit is 2 a request"),
        (
            client.post("/api/batch", content=b"a,b", headers={"content-type": "text/csv"}),
            415,
            "multipart/form-data",
        ),
        (
            client.post("/api/batch", files={"file": ("postings", b"id,text\n1,x\n")}),
            422,
            "cannot tell the format",
        ),
        (client.post("/api/batch", files={"file": ("p.csv", b"a,b\n1,2\n")}), 422, "no text column"),
        (client.post("/api/batch", files={"other": ("p.csv", b"id,text\n1,x\n")}), 422, "form field 'file'"),
    ]
    for response, status, words in cases:
        assert response.status_code == status, response.text
        assert words in response.json()["detail"]


# -- the page -------------------------------------------------------------------------------
def test_page_marks_the_deciding_phrases(client, case_posting, case_json):
    response = client.post("/", data={"title": TITLE, "text": case_posting})
    assert response.status_code == 200
    html = response.text
    assert 'id="verdict">Hybrid (mislabeled)</p>' in html
    assert "Mismatch: the title claims marketing, but the duties are sales." in html
    marked = re.findall(
        r'<mark class="ev ev-(\w+)" data-function="\w+" data-rank="(\d+)"[^>]*>([^<]*)</mark>', html
    )
    assert sorted((f, int(rank), phrase) for f, rank, phrase in marked) == sorted(
        (e["function"], k, e["phrase"]) for k, e in enumerate(case_json["evidence"], start=1)
    )
    sales = html[html.index('id="duties-sales"') : html.index('id="duties-marketing"')]
    assert "Make at least 50 outbound calls and 50 outbound emails a day" in sales
    assert "50 outbound calls a day" in sales  # the counted activity
    assert "giveaways" in html[html.index('id="duties-marketing"') :]


def test_page_shows_script_as_text(client, case_posting):
    title = "<script>alert('title')</script>Marketing Director"
    text = (
        case_posting + "\nUse &lt;script&gt;alert('posting')&lt;/script&gt; tags <img src=x onerror=alert(1)>"
    )
    response = client.post("/", data={"title": title, "text": text})
    assert response.status_code == 200
    html = response.text
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in html  # the title, shown and echoed
    posting = html[html.index('id="posting"') :]
    assert "&lt;script&gt;alert(&#39;posting&#39;)&lt;/script&gt;" in posting  # decoded entities, re-escaped
    assert "script-src" not in response.headers["content-security-policy"]  # default-src 'none': no script
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_page_reports_unreadable_input(client):
    response = client.post("/", data={"title": TITLE, "text": "   "})
    assert response.status_code == 422
    assert 'role="alert">the posting is empty</p>' in response.text


def test_highlight_joins_back_to_the_text():
    text = "Make 50 cold calls a day and run campaigns."
    evidence = [
        EvidenceItem("cold calls", 8, 18, "sales", 3.0),
        EvidenceItem("run campaigns", 29, 42, "marketing", 1.0),
        EvidenceItem("calls a day", 13, 24, "sales", 2.0),  # overlaps the first: clipped
    ]
    segments = highlight(text, evidence)
    assert "".join(s.text for s in segments) == text
    assert [(s.text, s.function, s.rank) for s in segments if s.function] == [
        ("cold calls", "sales", 1),
        (" a day", "sales", 3),
        ("run campaigns", "marketing", 2),
    ]


def test_report_upload_downloads_the_mismatch_report(client, case_posting):
    quoted = case_posting.replace('"', '""')
    csv_text = f'id,title,description\nx1,{TITLE},"{quoted}"\n'
    response = client.post(
        "/report",
        files={"file": ("postings.csv", csv_text.encode(), "text/csv")},
        data={"report_format": "csv"},
    )
    assert response.status_code == 200, response.text[-500:]
    assert response.headers["content-disposition"] == 'attachment; filename="postings-mismatches.csv"'
    lines = response.text.splitlines()
    assert lines[0].startswith("row,id,title,title_claim,duties,verdict,confidence,phrases")
    assert lines[1].startswith(f"1,x1,{TITLE},marketing,sales,hybrid,")
    bad = client.post("/report", files={"file": ("postings.txt", b"x")}, data={"report_format": "csv"})
    assert bad.status_code == 422 and "cannot tell the format" in bad.text


# -- docs and the command -------------------------------------------------------------------
def test_openapi_documents_the_api(client):
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == {"/api/score", "/api/batch"}
    score = spec["paths"]["/api/score"]["post"]
    assert score["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ScoreRequest")
    assert score["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ScoreResult")
    assert {"400", "413", "422"} <= set(score["responses"])
    assert set(spec["paths"]["/api/batch"]["post"]["requestBody"]["content"]) == {
        "application/json",
        "multipart/form-data",
    }
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_serve_refuses_a_port_in_use():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = CliRunner().invoke(cli, ["serve", "--port", str(port)])
    assert out.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in out.output


def test_page_shows_the_review_flag_and_no_made_up_numbers(client):
    response = client.post("/", data={"title": "", "text": "Apply now!"})
    assert response.status_code == 200, response.text[-500:]
    html = response.text
    assert 'id="review"' in html and "no duty statements found" in html
    assert "no confidence: nothing to base it on" in html
    assert "No title given" in html and "None" not in html[html.index('id="result"') :]
    french = "Vous prospectez de nouveaux clients par téléphone et négociez les contrats de vente."
    response = client.post("/", data={"title": "Responsable commercial", "text": french})
    assert response.status_code == 200
    assert "status: unsupported_language" in response.text and "no confidence" in response.text
