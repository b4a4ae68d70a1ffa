"""DerivedFilesWriter: has a served snapshot's missing dumps and search index written by a child process.

Normally they were written with the snapshot (dxkg.derived) and there is nothing to do. When a
snapshot in service lacks them (an older dxkg wrote it, or a build was stopped half-way), the
server starts `python -m dxkg.derived SNAPSHOT_FOLDER` and goes on serving: `/dumps` and `/search`
answer 503 with Retry-After until the files are there. A separate interpreter rather than a thread or a fork:
writing them reads every quad, which on a thread of the server would hold the GIL against the
requests (at 1 M triples a dump took 112 s instead of 4 s beside one busy thread), and in a forked
copy of the server would un-share the store's pages; the child reads the snapshot file and holds
none of the server's memory.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading

from ..config import Settings
from ..derived import missing
from ..store import snapshot_dir

log = logging.getLogger("dxkg.derived")

STOP_TIMEOUT_S = 5.0


class DerivedFilesWriter:
    """Starts at most one writer process per data version, and stops them when the server stops."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._running: dict[str, subprocess.Popen[bytes]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def ensure(self, version: str) -> bool:
        """Start writing the derived files of `version` if any is missing; return whether a writer runs."""
        folder = snapshot_dir(self.settings, version)
        lacking = missing(folder, version)
        if not lacking:
            return False
        with self._lock:
            if self._closed:
                return False
            if version in self._running:
                return True
            # Its own process group: stopping it stops the process it starts for the dumps too.
            process = subprocess.Popen([sys.executable, "-m", "dxkg.derived", str(folder)],
                                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                       start_new_session=True)
            self._running[version] = process
        log.info("writing the %s of version %s in the background (pid %d)", " and ".join(lacking), version,
                 process.pid)
        threading.Thread(target=self._wait, args=(version, process), name="dxkg-derived-wait", daemon=True).start()
        return True

    def running(self) -> list[int]:
        """Return the pids of the writer processes still running."""
        with self._lock:
            return [p.pid for p in self._running.values()]

    def _wait(self, version: str, process: subprocess.Popen[bytes]) -> None:
        _out, err = process.communicate()
        with self._lock:
            self._running.pop(version, None)
        report = err.decode("utf-8", "replace").strip()
        if process.returncode == 0:
            log.info("%s", report or f"the derived files of version {version} are written")
        elif not self._closed:
            log.error("writing the derived files of version %s failed (exit status %s): %s", version,
                      process.returncode, report[-2000:])

    def close(self) -> None:
        """Stop the writers still running (what they wrote is complete; the rest is written next time)."""
        with self._lock:
            self._closed = True
            processes = list(self._running.values())
        for process in processes:
            _signal_group(process, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass
