"""The server does not hold slow or hostile clients: a trickled body gets 408, a connection
that never finishes its headers is closed, nested JSON is a 400, another content type 415."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import warnings

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed (pip install 'roleclass[web]')")
import httpx
import uvicorn

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from roleclass.web import create_app
from roleclass.web.limits import server_options


@pytest.fixture(scope="module")
def client(scorer):
    return TestClient(create_app(scorer), raise_server_exceptions=False)


def test_a_trickled_body_is_cut_off(scorer) -> None:
    app = create_app(scorer, body_timeout=1.0)
    sent = []

    async def trickle():
        for _ in range(40):  # 40 bytes over 8 s
            sent.append(1)
            yield b"x"
            await asyncio.sleep(0.2)

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return await http.post(
                "/api/batch", content=trickle(), headers={"content-type": "application/json"}
            )

    response = asyncio.run(post())
    assert response.status_code == 408
    assert "did not arrive within 1 s" in response.json()["detail"]
    assert len(sent) < 40  # cut off, not read to the end


def test_a_body_sent_at_once_is_not_cut_off(scorer) -> None:
    app = TestClient(create_app(scorer, body_timeout=1.0), raise_server_exceptions=False)
    response = app.post("/api/batch", json=[{"text": "Cold call prospects and close deals every week."}])
    assert response.status_code == 200


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_connection_that_never_sends_its_headers_is_closed(scorer) -> None:
    port = _free_port()
    config = uvicorn.Config(
        create_app(scorer),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        **server_options(header_timeout=1.0),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started
        with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
            slow.sendall(b"POST /api/score HTTP/1.1\r\nHost: x\r\n")  # and never the rest
            started = time.monotonic()
            assert slow.recv(100) == b""  # closed by the server
            assert time.monotonic() - started < 8
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_server_options_limit_connections_and_idle_time() -> None:
    options = server_options(max_connections=7)
    assert options["limit_concurrency"] == 7
    assert 0 < options["timeout_keep_alive"] <= 10
    assert options["h11_max_incomplete_event_size"] <= 1 << 20


def test_deeply_nested_json_is_a_400_not_a_500(client) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/batch", content=deep, headers={"content-type": "application/json"})
    assert response.status_code == 400 and "nested too deeply" in response.json()["detail"]
    inner = '[{"text": "Cold call prospects", "title": ' + "[" * 5000 + "]" * 5000 + "}]"
    response = client.post("/api/batch", content=inner, headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500
    response = client.post("/api/score", content=deep, headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500


def test_score_answers_415_for_another_content_type(client) -> None:
    response = client.post("/api/score", content='{"text": "x"}', headers={"content-type": "text/plain"})
    assert response.status_code == 415 and "application/json" in response.json()["detail"]
    response = client.post("/api/score", data={"text": "Cold call prospects"})
    assert response.status_code == 415
    response = client.post("/api/score", json={"text": "   "})
    assert response.status_code == 422  # JSON of the wrong content is still 422


def test_an_internal_error_in_one_posting_is_that_row_s_error(scorer, monkeypatch) -> None:
    from roleclass.scorer import Scorer

    class Exploding(Scorer):  # the app's scorer, with a bug that one posting triggers
        def __init__(self, real: Scorer) -> None:
            super().__init__(real.model, real.info.sha256)

        def _clean(self, text, title=None):  # the first per-posting step score and score_many share
            if "explode" in text:
                raise ValueError("boom")
            return super()._clean(text, title)

    app = TestClient(create_app(Exploding(scorer)), raise_server_exceptions=False)
    response = app.post(
        "/api/batch",
        json=[{"text": "please explode here"}, {"text": "Cold call prospects and close deals every week."}],
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert "internal error (ValueError): boom" in results[0]["error"]
    assert results[1]["result"] is not None
