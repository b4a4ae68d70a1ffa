"""Shared fixtures: the real store built from the real sources, and the real server over HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from dxkg.config import Settings
from dxkg.store import LoadedStore, build

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings on the real ontology/, data/ and queries/, with a private var/ folder."""
    return Settings(var_dir=tmp_path_factory.mktemp("var"))


@pytest.fixture(scope="session")
def loaded(settings: Settings) -> LoadedStore:
    """The store built once from the real sources."""
    return build(settings)


@pytest.fixture(scope="session")
def store(loaded: LoadedStore):
    return loaded.store


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """The app under uvicorn, configured as `dxkg serve` runs it, in a background thread on a free port."""

    def __init__(self, settings: Settings) -> None:
        from dxkg.web.server import uvicorn_config

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn_config(settings, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(settings: Settings, loaded: LoadedStore) -> Iterator[LiveServer]:
    """The real server on the real store, reached over real HTTP."""
    with LiveServer(settings) as server:
        yield server


@pytest.fixture()
def http(live_server: LiveServer) -> Iterator[httpx.Client]:
    """An HTTP client for the live server (follows no redirects, so tests see them)."""
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        yield client
