"""Settings (pydantic-settings, env prefix DXKG_): paths, base IRI, limits."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Everything configurable, read once from the environment (DXKG_*) and passed down."""

    model_config = SettingsConfigDict(env_prefix="DXKG_", frozen=True)

    ontology_dir: Path = PROJECT_ROOT / "ontology"
    data_dir: Path = PROJECT_ROOT / "data"
    queries_dir: Path = PROJECT_ROOT / "queries"
    var_dir: Path = PROJECT_ROOT / "var"
    base_iri: str = "https://w3id.org/dxkg/"
    host: str = "127.0.0.1"
    port: int = 8000
    snapshots_kept: int = 3
    cache_max_age: int = 300
    query_timeout_s: float = Field(30.0, gt=0)
    result_limit: int = Field(100_000, ge=1)
    query_workers: int = Field(default_factory=lambda: len(os.sched_getaffinity(0)), ge=1)  # the usable cores
    max_queries_in_flight: int = Field(0, ge=0)  # 0: 32 per query worker
    # A query worker holding more memory of its own after a query is replaced by a fresh one (dxkg.pool.memory).
    # Unset: the size of the server when it forked the workers' zygote (about the store's size); 0: never.
    worker_memory_mb: int | None = Field(None, ge=0)
    reload_poll_s: float = Field(2.0, ge=0)  # how often var/current.json is checked; 0: only on SIGHUP
    max_body_bytes: int = Field(1 << 20, ge=1024)  # a longer request body: 413
    max_url_bytes: int = Field(64 * 1024, ge=1024)  # a longer path and query string: 414
    max_header_bytes: int = Field(4096, ge=256)  # a longer Accept, Content-Type, ... header: 431
    access_log: bool = False  # one log line per request (uvicorn's); it costs about what a cached answer does
    response_cache_mb: int = Field(64, ge=0)  # responses kept for repeats (dxkg.web.response_cache); 0: off

    @property
    def queries_in_flight_cap(self) -> int:
        """Return the most SPARQL queries the server takes at once (running or waiting for a worker)."""
        # A bounded queue: enough to absorb bursts from many clients (each waits within its own
        # time limit), small enough that an overload is refused at once rather than piling up.
        return self.max_queries_in_flight or 32 * self.query_workers
