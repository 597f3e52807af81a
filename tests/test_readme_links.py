"""Everything the README points at is in the repository: links, images, anchors, file paths and documents.

A reader of a clone (or of the sdist) has only the repository; a reference to a file that lives elsewhere reads as
a promise that cannot be kept. So every relative link must resolve, every `#anchor` must name a heading, every path
under one of the repository's top-level folders (or a package folder) must exist, and every Markdown document
named must be one of ours.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from tests.conftest import ROOT

README_PATH = ROOT / "README.md"
README = README_PATH.read_text(encoding="utf-8")

# The repository's top-level folders, and the import packages that live one level down in a source root.
TOP_LEVEL = ("receiver", "sender", "schemas", "tests", "fixtures", "bench", "examples", "docs", ".ci")
PACKAGES = {"flowmock_receiver": "receiver", "flowmock_sender": "sender", "flowmock_schemas": "schemas"}

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
PATH = re.compile(r"(?<![\w/:.~@-])((?:\.?[\w-]+/)+[\w.-]*)")
DOCUMENT = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w.-]+\.md)\b")


def links(text: str) -> list[str]:
    return LINK.findall(text)


def heading_anchors(text: str) -> set[str]:
    """The anchors GitHub gives the headings: lower case, punctuation dropped, spaces to hyphens, -1 for repeats."""
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    in_code = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if in_code or not re.match(r"#{1,6} ", line):
            continue
        title = line.lstrip("#").strip().lower()
        slug = "".join(c for c in title if c in " -_" or unicodedata.category(c)[0] in "LN").replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def repository_paths(text: str) -> list[str]:
    """Paths that start with a top-level folder or a package folder: the ones that claim to be in the repository."""
    found = []
    for path in PATH.findall(text):
        first = path.split("/", 1)[0]
        if first in TOP_LEVEL or first in PACKAGES:
            found.append(path)
    return sorted(set(found))


def resolve(path: str) -> Path:
    first, _, rest = path.partition("/")
    if first in PACKAGES:
        return ROOT / PACKAGES[first] / first / rest
    return ROOT / path


def documents(text: str) -> list[str]:
    return sorted(set(DOCUMENT.findall(text)))


def document_exists(name: str) -> bool:
    """A document is named by its path, or by its file name alone when exactly one file in the repository has it."""
    if "/" in name:
        return resolve(name).is_file()
    skip = {".venv", ".git", "node_modules", ".mypy_cache", ".ruff_cache"}
    matches = [p for p in ROOT.rglob(name) if not skip & set(p.relative_to(ROOT).parts)]
    return len(matches) == 1


@pytest.mark.parametrize("target", [t for t in links(README) if not re.match(r"[a-z][a-z0-9+.-]*:|#", t)])
def test_every_relative_link_resolves_to_a_file_in_the_repository(target):
    path = target.split("#", 1)[0]
    assert (README_PATH.parent / path).exists(), target


@pytest.mark.parametrize("target", [t for t in links(README) if t.startswith("#")])
def test_every_anchor_link_names_a_heading(target):
    assert target[1:] in heading_anchors(README), target


@pytest.mark.parametrize("path", repository_paths(README))
def test_every_repository_path_the_readme_mentions_exists(path):
    assert resolve(path).exists(), path


@pytest.mark.parametrize("name", documents(README))
def test_every_document_the_readme_names_is_in_the_repository(name):
    assert document_exists(name), name


def test_the_checks_catch_references_to_files_that_are_elsewhere():
    text = (
        "metrics as postman-payloads.md §3.4 maps them; see docs/performance.md and `examples/ci/nope.sh`;\n"
        "![shot](docs/missing.png) [up](#no-such-heading) `out/flowmock.pid` http://x.test/docs/a.md\n"
    )
    assert [name for name in documents(text) if not document_exists(name)] == [
        "docs/performance.md",
        "postman-payloads.md",
    ]
    assert [p for p in repository_paths(text) if not resolve(p).exists()] == [
        "docs/missing.png",
        "docs/performance.md",
        "examples/ci/nope.sh",
    ]
    assert links(text) == ["docs/missing.png", "#no-such-heading"]
    assert "no-such-heading" not in heading_anchors(README)
    assert "where-flowmock-knowingly-differs-from-the-real-service" in heading_anchors(README)
