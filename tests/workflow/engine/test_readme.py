"""The README's flow-engine example runs as written (from the repository root, as a reader would run it)."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def test_the_readme_flow_engine_example_runs(monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Imported flows and the flow engine", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(code.group(1), "README.md", "exec"), namespace)
    assert namespace["answers"][0].status_code == 201
    assert namespace["answers"][0].body["erpReference"] == "ERP-9"
    assert namespace["run"].status == "Succeeded"
