"""bench/RESULTS.md from the per-size JSON results: machine, versions, goals, one table per size."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import psutil

SIZES_ORDER = ("tiny", "10k", "100k", "1m")
KEEP_MARKER = "<!-- Everything below this line is written by hand and kept when bench/run.py regenerates the file. -->"
PEERS = ("rdflib-endpoint", "oxigraph", "minimal")
DXKG = ("dxkg", "dxkg-uncached")  # as shipped, and with its response cache off
SERVER_LABELS = {"dxkg": "dxkg", "dxkg-uncached": "dxkg, response cache off", "rdflib-endpoint": "rdflib-endpoint",
                 "oxigraph": "Oxigraph server", "minimal": "minimal FastAPI+pyoxigraph"}


def machine() -> dict[str, str]:
    """Return the cores, memory, CPU model and OS of this machine."""
    model = ""
    try:
        model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), "")
    except OSError:
        pass
    return {"cores": str(os.cpu_count()), "memory": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
            "cpu": model or platform.processor() or "unknown", "os": f"{platform.system()} {platform.release()}"}


def versions() -> dict[str, str]:
    """Return the versions of Python, the servers and the load generator."""
    found = {"python": sys.version.split()[0]}
    for package in ("dxkg", "pyoxigraph", "oxigraph", "rdflib-endpoint", "rdflib", "fastapi", "uvicorn"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    try:
        found["wrk"] = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1]
    except (OSError, IndexError):
        found["wrk"] = "not installed"
    return found


def rps(cell: dict | None) -> str:
    if not cell:
        return "—"
    mark = "†" if cell.get("single") else ""
    err = f" ({cell['errors']:,} refused)" if cell.get("errors") else ""
    value = cell["rps"]
    text = f"{value:,.0f}" if value >= 10 else f"{value:.2f}"
    return f"{text}{mark}{err}"


def lat(cell: dict | None) -> str:
    if not cell:
        return "—"
    if cell.get("single") and cell["connections"] > 1:
        return "—"
    return f"{cell['p50_ms']:.1f} / {cell['p99_ms']:.1f}"


def ratio(a: dict | None, b: dict | None) -> str:
    if not a or not b or not b["rps"]:
        return "—"
    r = a["rps"] / b["rps"]
    return f"{r:,.0f}x" if r >= 10 else f"{r:.2f}x"


def size_section(result: dict) -> list[str]:
    """Return the markdown of one size: throughput and latency per workload, then the other measures."""
    servers = [s for s in (*DXKG, *PEERS) if s in result["servers"]]
    ours = [s for s in DXKG if s in servers]
    cells = {(m["workload"], m["connections"], m["server"]): m for m in result["measurements"]}
    out = [f"## {result['size']}: {result['triples']:,} triples, {result['graphs']:,} named graphs",
           "",
           f"Run {result['date']}, {result['duration_s']:.0f} s per measurement, servers interleaved per workload, "
           f"best of {result.get('rounds', 1)} round(s) per cell. "
           "Cells: successful requests/s, then p50 / p99 latency in ms. † = too slow for the time window (a first "
           "answer slower than --slow, or no answer completed in the window): one request timed, requests/s = "
           "1/latency, which for rdflib-endpoint holds at any concurrency since it answers one request at a time. \"refused\": answers other "
           "than 2xx/3xx (dxkg's `503` when more queries arrive than it takes at once), timeouts and socket "
           "errors, not counted in requests/s; the latencies include them.",
           f"Load average (1 min) before / after the run: {result.get('load_before', '?')} / "
           f"{result.get('load_after', '?')} on {result['machine']['cores']} cores.",
           ""]
    head = ["workload", "conns", *(SERVER_LABELS[s] for s in servers)]
    ratios = [p for p in ("rdflib-endpoint", "oxigraph", "minimal") if p in servers]
    both = len(ours) > 1
    head += [f"dxkg/{SERVER_LABELS[p]}" + (" (cache on / off)" if both else "") for p in ratios] + ["in-process ms"]
    out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for w in result["workloads"]:
        for conns in result["connections"]:
            row = [w["title"], str(conns)]
            for s in servers:
                c = cells.get((w["key"], conns, s))
                row.append(f"{rps(c)}<br>{lat(c)}" if c else "—")
            for p in ratios:
                peer = cells.get((w["key"], conns, p))
                if w["key"] == "page" and p == "oxigraph":
                    peer = cells.get(("describe", conns, p))
                row.append(" / ".join(ratio(cells.get((w["key"], conns, d)), peer) for d in ours))
            row.append(f"{w['in_process_ms']:.2f}" if w.get("in_process_ms") else "—")
            out.append("| " + " | ".join(row) + " |")
    out += ["", "The entity page's dxkg/Oxigraph ratio compares it with the Oxigraph server's DESCRIBE of the "
            "same entities. In-process: pyoxigraph query + serialization in one Python process, the floor."]
    if both:
        out += ["dxkg as shipped keeps data-derived answers in its response cache, so once a workload's rotation "
                "of parameters (at most 64) has been asked for, repeats are answered from memory; "
                "\"response cache off\" is the same server with `DXKG_RESPONSE_CACHE_MB=0`: every request is "
                "routed and every query runs in a worker, the cost of a first visit."]
    out.append("")
    out += ["| measure | " + " | ".join(SERVER_LABELS[s] for s in servers) + " |", "|" + "---|" * (len(servers) + 1)]

    def row(label: str, key: str, fmt) -> None:
        out.append(f"| {label} | " + " | ".join(fmt(result["servers"][s].get(key)) for s in servers) + " |")

    for info in result["servers"].values():  # results written before dumps became a list
        if "dumps" not in info and info.get("dump"):
            info["dumps"] = [info["dump"]]
    seconds = lambda v: "—" if v is None else f"{v:.2f} s"  # noqa: E731
    mib = lambda v: "—" if not v else f"{v / 2**20:,.0f} MiB"  # noqa: E731
    row("store build / load", "build_s", seconds)
    row("start-up to first answer", "startup_s", seconds)
    row("memory after start-up (PSS, process tree)", "start_pss", mib)
    row("peak memory during the workload (PSS)", "workload_pss", mib)
    row("peak memory, dump downloads included (PSS)", "peak_pss", mib)
    row("peak memory, dump downloads included (RSS)", "peak_rss", mib)
    row("response cache over the run (hits / misses)", "cache", lambda c: "—" if not c else
        f"{c.get('hits', 0):,.0f} / {c.get('misses', 0):,.0f}")
    row("full dump download", "dumps", lambda ds: "—" if not ds else "<br>".join(
        f"{d['seconds']:.2f} s ({d['bytes'] / 2**20:,.1f} MiB, {d['what']})" for d in ds))
    out += ["", "Store build: dxkg `dxkg load --force` (Turtle sources to snapshot), Oxigraph `oxigraph load` "
            "(N-Quads into RocksDB), rdflib-endpoint and the minimal endpoint parse the N-Quads dump as they "
            "start. Start-up: process start to the first SPARQL answer, on the built store. Memory: "
            "the sum over the server's process tree (dxkg: the server, its zygote and query workers, which "
            "share the store copy-on-write, so PSS, which splits shared pages between processes, is the "
            "fair figure; RSS counts them once per process).", ""]
    if result.get("notes"):
        out += ["Notes:", *[f"- {n}" for n in result["notes"]], ""]
    return out


def goals(results: dict[str, dict]) -> list[str]:
    """Return the issue's goals with met / not met, from the 100k and 1m results: for dxkg as shipped
    and, where it was measured, with its response cache off (every request routed, every query run)."""
    def cell(size: str, workload: str, conns: int, server: str) -> dict | None:
        r = results.get(size)
        if not r:
            return None
        return next((m for m in r["measurements"] if (m["workload"], m["connections"], m["server"]) == (workload, conns, server)), None)

    def verdict(value: float | None, ok: bool, text: str) -> str:
        return "not measured" if value is None else f"{text} ({'met' if ok else 'not met'})"

    def ratio_goal(label: str, workload: str, peer: str, at_least: float, peer_workload: str | None = None) -> str:
        found = []
        for ours in DXKG:
            a, b = cell("100k", workload, 16, ours), cell("100k", peer_workload or workload, 16, peer)
            r = a["rps"] / b["rps"] if a and b and b["rps"] else None
            found.append(verdict(r, r is not None and r >= at_least, f"{r:,.2f}x" if r is not None else ""))
        return f"| {label} | " + " | ".join(found) + " |"

    rows = ["| goal (100k triples, 16 connections unless stated) | dxkg as shipped | response cache off |",
            "|---|---|---|"]
    rows.append(ratio_goal("≥ 10x rdflib-endpoint: entity DESCRIBE", "describe", "rdflib-endpoint", 10))
    for key, name in (("aggregate", "aggregate"), ("scan", "label scan"), ("join", "two-hop join")):
        rows.append(ratio_goal(f"≥ 100x rdflib-endpoint: {name}", key, "rdflib-endpoint", 100))
    rows.append(ratio_goal("≥ 0.5x Oxigraph server: entity DESCRIBE", "describe", "oxigraph", 0.5))
    rows.append(ratio_goal("≥ 0.5x Oxigraph server: entity page (vs its DESCRIBE)", "page", "oxigraph", 0.5, "describe"))
    r100 = results.get("100k")
    if r100 and "minimal" in r100["servers"]:
        w = next(w for w in r100["workloads"] if w["key"] == "describe")
        b = cell("100k", "describe", 1, "minimal")
        found = []
        for ours in DXKG:
            a = cell("100k", "describe", 1, ours)
            if not (a and b and w.get("in_process_ms") is not None):
                found.append("not measured")
                continue
            over_dx, over_min = a["p50_ms"] - w["in_process_ms"], max(b["p50_ms"] - w["in_process_ms"], 0.01)
            x = over_dx / over_min
            found.append(verdict(x, x <= 2, f"{x:.2f}x: {over_dx:.2f} ms vs {over_min:.2f} ms"))
        rows.append("| dxkg per-request cost ≤ 2x the minimal FastAPI+pyoxigraph endpoint's (entity DESCRIBE, p50 at "
                    "1 connection minus the in-process time) | " + " | ".join(found) + " |")
    r1m = results.get("1m")
    search = [cell("1m", "search", 1, ours) for ours in DXKG]
    rows.append("| `/search` p50 < 10 ms at 1 M triples (1 connection) | " + " | ".join(
        verdict(c["p50_ms"] if c else None, bool(c) and c["p50_ms"] < 10, f"{c['p50_ms']:.1f} ms" if c else "")
        for c in search) + " |")
    found_start, found_peak = [], []
    for ours in DXKG:
        info = r1m["servers"].get(ours) if r1m else None
        if not info:
            found_start.append("not measured")
            found_peak.append("not measured")
            continue
        found_start.append(verdict(info["startup_s"], info["startup_s"] < 10, f"{info['startup_s']:.1f} s"))
        peak = info["peak_pss"] or info["peak_rss"]
        found_peak.append(verdict(peak, peak < 1.5e9, f"{peak / 1e9:.2f} GB (RSS {info['peak_rss'] / 1e9:.2f} GB)"))
    rows.append("| start-up to first answer < 10 s at 1 M triples | " + " | ".join(found_start) + " |")
    rows.append("| peak memory < 1.5 GB at 1 M triples (PSS of the process tree) | " + " | ".join(found_peak) + " |")
    return rows


def render(results: dict[str, dict], command: str, kept: str = "") -> str:
    """Return RESULTS.md for the results of every size measured (a dict size -> result)."""
    first = next(iter(results.values()))
    m, v = first["machine"], first["versions"]
    lines = ["# dxkg benchmark: dxkg, rdflib-endpoint and the Oxigraph server, side by side",
             "",
             f"Regenerated by `{command}` (see the README's Benchmark section). Each size below was measured in "
             "one run, with every server holding the same data and the servers measured in turn for each "
             "workload and concurrency, so the ratio columns compare measurements taken minutes apart on the "
             "same machine. Absolute figures on a 2-core machine are only indicative; the ratios are the point.",
             "",
             f"Machine: {m['cores']} cores, {m['memory']}, {m['cpu']}, {m['os']}.",
             "",
             "Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".",
             "",
             "Load generator: wrk (C, epoll) with `bench/wrk_paths.lua`, keep-alive connections, 1 thread for 1 "
             "connection and 2 threads for 16; every request a GET whose parameter rotates through a list drawn "
             "from the data (the same list for every server).",
             "",
             "## Goals (issue 6)",
             "",
             *goals(results),
             ""]
    for size in sorted(results, key=lambda s: SIZES_ORDER.index(s) if s in SIZES_ORDER else 99):
        lines += size_section(results[size])
    text = "\n".join(lines).rstrip() + "\n\n" + KEEP_MARKER + "\n"
    return text + (kept if kept else "")


def kept_notes(path: Path) -> str:
    """Return the hand-written part of an existing RESULTS.md (after the marker), or ''."""
    try:
        text = path.read_text()
    except OSError:
        return ""
    at = text.find(KEEP_MARKER)
    return text[at + len(KEEP_MARKER) + 1:] if at >= 0 else ""


def write(results_dir: Path, output: Path, command: str) -> None:
    """Render every results_dir/*.json into output, keeping its hand-written notes."""
    results = {}
    for path in sorted(results_dir.glob("*.json")):
        data = json.loads(path.read_text())
        results[data["size"]] = data
    if results:
        output.write_text(render(results, command, kept_notes(output)))
