"""The committed reference data is exactly what scripts/build_reference.py makes of ../shared/reference."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_REFERENCE = ROOT.parent / "shared" / "reference"


@pytest.mark.skipif(not SHARED_REFERENCE.is_dir(), reason="../shared/reference is not beside the project")
def test_reference_data_is_regenerated_identically(tmp_path: Path):
    result = subprocess.run([sys.executable, "scripts/build_reference.py", "--reference-dir", str(SHARED_REFERENCE),
                             "--out-dir", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    committed = sorted(p.name for p in (ROOT / "data" / "reference").glob("*.ttl"))
    assert sorted(p.name for p in tmp_path.glob("*.ttl")) == committed
    for name in committed:
        assert (tmp_path / name).read_bytes() == (ROOT / "data" / "reference" / name).read_bytes(), name
