"""pact-python 2.3.3 (Ruby mock service) and our v2 API write the same spec-2 pact file.

``tests/v2_examples/scenario_all_matchers.py`` uses every v2 matcher kind (Term in path,
headers, query and body; Like/SomethingLike; EachLike with minimum 1 and 2, nested; every
Format; query dicts with lists, query strings; request bodies; no provider state; no
response body). It runs once per library in a subprocess, the code identical but for the
import; the files must be equal after dropping metadata and sorting interactions.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import reference

HERE = Path(__file__).resolve().parent
SCENARIO = HERE / "v2_examples" / "scenario_all_matchers.py"
PACT_NAME = "allmatchersconsumer-allmatchersprovider.json"


def _run(python, library, pact_dir, port, spec="2.0.0"):
    env = reference.reference_env()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent), env.get("PYTHONPATH")]))
    proc = subprocess.run([str(python), "-W", "ignore", str(SCENARIO), library, str(pact_dir),
                           str(port), spec], capture_output=True, text=True, env=env,
                          timeout=120, cwd=str(pact_dir))
    assert proc.returncode == 0, f"{library} run failed:\n{proc.stdout}\n{proc.stderr}"
    return json.loads((pact_dir / PACT_NAME).read_text())


@pytest.mark.reference
def test_same_scenario_same_spec2_pact_file_as_pact_python_2_3_3(tmp_path):
    python = reference.require_pact_python()
    reference.require_ruby()
    theirs_dir = tmp_path / "pact-python"
    ours_dir = tmp_path / "ours"
    theirs_dir.mkdir()
    ours_dir.mkdir()
    theirs = _run(python, "pact", theirs_dir, reference.free_port())
    ours = _run(sys.executable, "pact_unittest", ours_dir, 0)
    assert ours["metadata"]["pactSpecification"]["version"] == "2.0.0"
    normal_theirs = reference.normalise_pact(theirs)
    normal_ours = reference.normalise_pact(ours)
    assert len(normal_ours["interactions"]) == 5
    for mine, ruby in zip(normal_ours["interactions"], normal_theirs["interactions"]):
        assert mine == ruby, mine["description"]
    assert normal_ours == normal_theirs
