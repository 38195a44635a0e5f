"""The README stays true: its paper table, its example and its test command."""

import re
from pathlib import Path

import pytest

from skpapers.reproduce import get_entries

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _table_status():
    status = {}
    for line in README.splitlines():
        match = re.match(r"\|.*\(`([a-z0-9-]+)`\) \|.*\| (available|partial|planned) \|$", line)
        if match:
            status[match.group(1)] = match.group(2)
    return status


def test_table_lists_all_36_papers():
    assert len(_table_status()) == 36


def test_papers_on_main_are_exactly_those_with_a_reproduction():
    on_main = {slug for slug, status in _table_status().items() if status in ("available", "partial")}
    assert on_main == {entry.slug for entry in get_entries()}


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"&& (python -m pytest[^\n`]*)", README)
    assert commands == ["python -m pytest"]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert commands[0] in ci_lines


@pytest.mark.filterwarnings("ignore")
def test_readme_example_runs():
    code = re.search(r"## Example\n\n```python\n(.*?)```", README, re.S).group(1)
    exec(compile(code, "README.md", "exec"), {})
