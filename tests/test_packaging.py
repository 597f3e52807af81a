"""What `pip install flowmock` gets: a licence that exists, extras for the test frameworks, recipes that install it.

flowmock is not on PyPI, and its pytest plugin and hypothesis strategies serve test suites, so pytest and
Hypothesis are extras rather than dependencies; whatever needs one says which extra brings it.
"""

from __future__ import annotations

import fnmatch
import re
import subprocess
import sys
import tomllib

import pytest

from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
RECIPES = sorted((ROOT / "examples" / "ci").glob("*.yml"))


def test_every_path_the_sdist_includes_exists():
    for path in PYPROJECT["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]:
        assert (ROOT / path).exists(), path


def test_the_license_file_is_the_apache_license_the_metadata_declares():
    assert PYPROJECT["project"]["license"] == "Apache-2.0"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text


@pytest.mark.parametrize(("extra", "package"), [("pytest", "pytest"), ("hypothesis", "hypothesis")])
def test_each_test_framework_is_an_extra_and_part_of_the_test_extra(extra, package):
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert any(re.match(rf"{package}\b", spec) for spec in extras[extra])
    assert any(re.match(rf"{package}\b", spec) for spec in extras["test"])
    assert not any(re.match(rf"{package}\b", spec) for spec in PYPROJECT["project"]["dependencies"])


def run_without_hypothesis(code: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter where importing hypothesis fails, as after a plain `pip install`."""
    blocker = "import sys; sys.modules['hypothesis'] = None\n"
    return subprocess.run([sys.executable, "-c", blocker + code], capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_strategies_without_hypothesis_raise_an_import_error_naming_the_extra():
    result = run_without_hypothesis(
        "try:\n"
        "    import flowmock_schemas.strategies\n"
        "except ImportError as exc:\n"
        "    print(type(exc).__name__, exc.name, exc, sep='|')\n"
    )
    assert result.returncode == 0, result.stderr
    kind, name, message = result.stdout.strip().split("|")
    assert (kind, name) == ("ModuleNotFoundError", "hypothesis")
    assert "install flowmock[hypothesis]" in message


def test_schemas_and_validate_work_without_hypothesis():
    result = run_without_hypothesis(
        "from flowmock_schemas import validate\n"
        "assert validate('monitor-results.strict', {}) != []\n"
        "from flowmock_schemas.cli import main\n"
        "main(['schema', 'list'])\n"
    )
    assert result.returncode == 0, result.stderr
    assert "monitor-results.strict" in result.stdout


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda p: p.name)
def test_ci_recipes_install_flowmock_from_a_wheel_not_from_pypi(recipe):
    installs = [line.strip() for line in recipe.read_text().splitlines() if re.search(r"\bpip install\b", line)]
    commands = [line for line in installs if not line.startswith("#")]
    assert commands, "the recipe installs flowmock"
    for line in commands:
        assert not re.search(r"pip install\s+['\"]?flowmock\b", line), line  # flowmock is not on PyPI
        assert "ci/flowmock-*.whl" in line, line
    assert "make wheel" in recipe.read_text(), "the recipe says how to build the wheel"
    wheel_name = f"{PYPROJECT['project']['name']}-{PYPROJECT['project']['version']}-py3-none-any.whl"
    assert fnmatch.fnmatch(wheel_name, "flowmock-*.whl")  # the name `make wheel` gives it matches the glob
    assert re.search(r"^wheel:.*\n\t.*pip wheel .*-w dist", (ROOT / "Makefile").read_text(), re.M)
