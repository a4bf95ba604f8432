"""pact-python 2.3.3 (+ Ruby ``pact-message``) and our v2 API write the same message pact.

``tests/v2_examples/message_scenario.py`` follows pact-python v2's message consumer example
(a raising block that writes nothing, the file removed before each test, one shared
``MessagePact``) plus a block with v2 matchers and provider state params. It runs once per
library in a subprocess, the code identical but for the import; the pact files must be
equal as JSON (messages sorted: Ruby appends, we sort).
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
SCENARIO = HERE / "v2_examples" / "message_scenario.py"
PACT_NAME = "detectcontentlambda-contentprovider.json"


def _run(python, library, pact_dir):
    env = reference.reference_env()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent), env.get("PYTHONPATH")]))
    proc = subprocess.run([str(python), "-W", "ignore", str(SCENARIO), library, str(pact_dir)],
                          capture_output=True, text=True, env=env, timeout=180, cwd=str(pact_dir))
    assert proc.returncode == 0, f"{library} run failed:\n{proc.stdout}\n{proc.stderr}"
    document = json.loads((pact_dir / PACT_NAME).read_text())
    document["messages"].sort(key=lambda m: m["description"])
    return document


def test_the_example_runs_on_ours_alone(tmp_path):
    ours = _run(sys.executable, "pact_unittest", tmp_path)
    assert [m["description"] for m in ours["messages"]] == ["A copied document", "Description with broker"]
    copied = ours["messages"][0]
    assert copied["providerStates"] == [{"name": "A document exists", "params": {"name": "copy.doc", "size": 12}},
                                        {"name": "A bucket exists", "params": None}]
    assert copied["contents"]["tags"] == ["draft", "draft"]
    assert copied["matchingRules"]["body"]["$.tags"] == {"matchers": [{"min": 2}]}


@pytest.mark.reference
def test_same_message_pact_file_as_pact_python_2_3_3(tmp_path):
    python = reference.require_pact_python()
    reference.require_ruby()
    theirs_dir, ours_dir = tmp_path / "pact-python", tmp_path / "ours"
    theirs_dir.mkdir()
    ours_dir.mkdir()
    theirs = _run(python, "pact", theirs_dir)
    ours = _run(sys.executable, "pact_unittest", ours_dir)
    assert len(ours["messages"]) == 2
    for mine, ruby in zip(ours["messages"], theirs["messages"]):
        assert mine == ruby, mine["description"]
    assert ours == theirs
