"""A small Gherkin reader: exactly the part of Gherkin the Pact compatibility suite uses.

Feature, Background, Scenario, Given/When/Then/And/But steps, data tables and tags (on the
feature and on scenarios). Anything else (Scenario Outline, doc strings, Rule) raises
ValueError naming the file and line, so a re-synced suite that starts using it fails loudly
instead of being half-read.
"""
from __future__ import annotations

import pathlib
import re
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

_STEP = re.compile(r"^(Given|When|Then|And|But)\s+(.*)$")
_UNSUPPORTED = ("Scenario Outline:", "Scenario Template:", "Examples:", "Rule:", '"""', "```")


@dataclass
class Step:
    keyword: str          # the effective keyword: Given, When or Then ("And" resolved)
    text: str
    line: int
    table: Optional[List[List[str]]] = None   # rows of cells, header row included


@dataclass
class Scenario:
    name: str
    line: int
    tags: Tuple[str, ...] = ()
    steps: List[Step] = field(default_factory=list)


@dataclass
class Feature:
    name: str
    path: pathlib.Path
    tags: Tuple[str, ...] = ()
    background: List[Step] = field(default_factory=list)
    scenarios: List[Scenario] = field(default_factory=list)


def _cells(line: str) -> List[str]:
    """The cells of a table row ``| a | b |`` (``\\|`` escapes a bar inside a cell)."""
    inner = line.strip()[1:]
    if inner.endswith("|"):
        inner = inner[:-1]
    cells = re.split(r"(?<!\\)\|", inner)
    return [c.strip().replace("\\|", "|") for c in cells]


def parse_feature(path: pathlib.Path) -> Feature:
    """Parse one ``.feature`` file."""
    feature: Optional[Feature] = None
    pending_tags: List[str] = []
    steps: Optional[List[Step]] = None
    last_keyword = "Given"
    scenario: Optional[Scenario] = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{path}:{number}"
        if line.startswith(_UNSUPPORTED):
            raise ValueError(f"{where}: unsupported Gherkin construct {line.split()[0]!r}")
        if line.startswith("@"):
            pending_tags.extend(t.lstrip("@") for t in line.split())
            continue
        if line.startswith("Feature:"):
            feature = Feature(line[len("Feature:"):].strip(), path, tuple(pending_tags))
            pending_tags = []
            continue
        if feature is None:
            if steps is None and not line.startswith(("Background:", "Scenario:")):
                continue  # free text before the Feature line
            raise ValueError(f"{where}: content before the Feature line")
        if line.startswith("Background:"):
            steps = feature.background
            scenario = None
            continue
        if line.startswith("Scenario:"):
            scenario = Scenario(line[len("Scenario:"):].strip(), number, tuple(pending_tags))
            pending_tags = []
            feature.scenarios.append(scenario)
            steps = scenario.steps
            last_keyword = "Given"
            continue
        if line.startswith("|"):
            if not steps:
                raise ValueError(f"{where}: a table without a step")
            step = steps[-1]
            step.table = (step.table or []) + [_cells(line)]
            continue
        found = _STEP.match(line)
        if found and steps is not None:
            keyword = found.group(1)
            if keyword in ("And", "But"):
                keyword = last_keyword
            last_keyword = keyword
            steps.append(Step(keyword, found.group(2), number))
            continue
        if steps is None:
            continue  # the feature's free-text description
        raise ValueError(f"{where}: cannot read {line!r}")
    if feature is None:
        raise ValueError(f"{path}: no Feature line")
    return feature
