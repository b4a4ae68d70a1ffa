"""The command line, run as a user runs it: `dxkg ...` in a subprocess."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parent.parent
SUBCOMMANDS = ("load", "validate", "query", "dump", "serve")


def dxkg(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dxkg.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, input=stdin, timeout=300)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    var = tmp_path_factory.mktemp("cli-var")
    result = subprocess.run([sys.executable, "-m", "dxkg.cli", "load"], capture_output=True, text=True,
                            env={**os.environ, "DXKG_VAR_DIR": str(var)}, timeout=300)
    assert result.returncode == 0, result.stderr
    return {"DXKG_VAR_DIR": str(var)}


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_cli_every_subcommand_has_help(command, env):
    result = dxkg(command, "--help", env=env)
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: dxkg {command}")


def test_cli_load_twice_reuses(env):
    result = dxkg("load", env=env)
    assert result.returncode == 0
    assert result.stdout.startswith("up to date")


def test_cli_query_table(env):
    result = dxkg("query", "SELECT ?d WHERE { resolution:gia-lai-04-nq-tu-2022 dx:issuedOn ?d }", env=env)
    assert result.returncode == 0, result.stderr
    assert "2022-01-20" in result.stdout and "(1 row)" in result.stdout


def test_cli_query_from_file_as_json(env, tmp_path):
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?n WHERE { province:kien-giang skos:notation ?n }")
    result = dxkg("query", "-f", str(query), "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["results"]["bindings"]
    assert [r["n"]["value"] for r in rows] == ["91"]


def test_cli_query_from_stdin_as_csv(env):
    result = dxkg("query", "-", "--format", "csv", env=env,
                  stdin="SELECT ?new WHERE { province:kien-giang dx:mergedInto ?new }")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["new", "https://w3id.org/dxkg/id/province/an-giang-2025"]


def test_cli_construct_as_ntriples(env):
    result = dxkg("query", "CONSTRUCT WHERE { province:gia-lai rdfs:label ?l }", "--format", "nt", env=env)
    assert result.returncode == 0, result.stderr
    labels = {t.object.value for t in ox.parse(result.stdout.encode(), format=ox.RdfFormat.N_TRIPLES)}
    assert "Gia Lai" in labels


def test_cli_malformed_query_is_one_line_error(env):
    result = dxkg("query", "SELECT WHERE {", env=env)
    assert result.returncode == 1
    assert result.stderr.startswith("dxkg query: error:")
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_cli_update_is_refused(env):
    result = dxkg("query", "DELETE WHERE { ?s ?p ?o }", env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_cli_format_mismatch_is_an_error(env):
    result = dxkg("query", "ASK { ?s ?p ?o }", "--format", "ttl", env=env)
    assert result.returncode == 1 and "does not fit" in result.stderr


def test_cli_dump_formats_count_the_same(env, tmp_path):
    counts = {}
    for fmt, rdf_format in (("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES), ("nq", ox.RdfFormat.N_QUADS)):
        out = tmp_path / f"dump.{fmt}.gz"
        result = dxkg("dump", "--format", fmt, "--gzip", "-o", str(out), env=env)
        assert result.returncode == 0, result.stderr
        counts[fmt] = len(list(ox.parse(gzip.decompress(out.read_bytes()), format=rdf_format)))
    assert counts["ttl"] == counts["nt"] == counts["nq"] > 5000
    quads = ox.parse(gzip.decompress((tmp_path / "dump.nq.gz").read_bytes()), format=ox.RdfFormat.N_QUADS)
    assert len({q.graph_name.value for q in quads}) >= 10


def test_cli_dump_to_stdout(env):
    result = subprocess.run([sys.executable, "-m", "dxkg.cli", "dump", "--format", "nt"], capture_output=True,
                            env={**os.environ, **env}, timeout=300)
    assert result.returncode == 0
    assert b"<https://w3id.org/dxkg/id/province/gia-lai>" in result.stdout


def test_cli_validate_passes_on_shipped_data(env):
    result = dxkg("validate", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("dxkg validate: OK")


def test_cli_validate_reports_problems(tmp_path):
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    bad = tmp_path / "data" / "articles" / "article-999-bad.ttl"
    bad.write_text("""@prefix dx: <https://w3id.org/dxkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/dxkg/id/target/x> a dx:Target ; rdfs:label "chỉ có tiếng Việt"@vi ;
    dx:indicator <https://w3id.org/dxkg/id/indicator/no-such-indicator> ; dx:targetValue "80" .
""")
    env = {"DXKG_ONTOLOGY_DIR": str(tmp_path / "ontology"), "DXKG_DATA_DIR": str(tmp_path / "data"),
           "DXKG_VAR_DIR": str(tmp_path / "var")}
    result = dxkg("validate", env=env)
    assert result.returncode == 1
    report = result.stdout
    assert "target:x: no @en label" in report
    assert "indicator:no-such-indicator" in report          # dangling link
    assert "Facts without a source" in report
    assert "Source files that do not describe their own source" in report
    assert "SHACL" in report and "targetValue" in report      # a string where a decimal belongs


def test_cli_broken_file_load_fails_with_file_and_line(tmp_path):
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    env = {"DXKG_ONTOLOGY_DIR": str(tmp_path / "ontology"), "DXKG_DATA_DIR": str(tmp_path / "data"),
           "DXKG_VAR_DIR": str(tmp_path / "var")}
    assert dxkg("load", env=env).returncode == 0
    bad = tmp_path / "data" / "articles" / "article-999-bad.ttl"
    bad.write_text("@prefix dx: <https://w3id.org/dxkg/ontology#> .\n<x> dx:p .\n")
    result = dxkg("load", env=env)
    assert result.returncode == 1
    assert f"{bad}:2:" in result.stderr and "Traceback" not in result.stderr
    # the old store still answers, with a note that the sources changed
    result = dxkg("query", "SELECT ?d WHERE { resolution:gia-lai-04-nq-tu-2022 dx:issuedOn ?d }", env=env)
    assert result.returncode == 0 and "2022-01-20" in result.stdout
    assert "sources changed" in result.stderr


def test_cli_named_query_with_parameter(env):
    result = dxkg("query", "--named", "province-successor", "-p", "province=province:kien-giang",
                  "--format", "csv", env=env)
    assert result.returncode == 0, result.stderr
    assert "https://w3id.org/dxkg/id/province/an-giang-2025" in result.stdout


def test_cli_named_query_missing_parameter_is_named(env):
    result = dxkg("query", "--named", "province-successor", env=env)
    assert result.returncode == 1
    assert "province" in result.stderr and "Traceback" not in result.stderr
