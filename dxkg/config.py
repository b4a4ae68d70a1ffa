"""Settings (pydantic-settings, env prefix DXKG_): paths, base IRI, limits."""

from __future__ import annotations

from pathlib import Path

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
    query_timeout_s: float = 30.0
    result_limit: int = 100_000
