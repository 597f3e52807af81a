"""Reading untrusted files: bounded zips and JSON that fails with a line saying where.

Imported files come from users and from the internet, so every read is bounded before it is trusted: the input's
size, the number of members in a zip, each member's size *as read* (a zip's declared sizes can lie, which is how zip
bombs work), and the total read across members. Nothing is ever extracted to disk, so member names such as
`../../etc/passwd` are only strings compared with the names we look for. Power Automate exports write names with
forward slashes; some tools that repack them write backslashes, so names are normalised before matching.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from flowmock_receiver.workflow.errors import DefinitionError

MAX_INPUT_BYTES = 64 * 1024 * 1024
"""Largest file accepted at all (an export of a large flow is a few hundred KB; solutions a few MB)."""

MAX_MEMBERS = 5000
"""Most members a zip may list (a solution with hundreds of components stays far below this)."""

MAX_MEMBER_BYTES = 32 * 1024 * 1024
"""Most bytes read from one member, whatever its header declares."""

MAX_TOTAL_BYTES = 128 * 1024 * 1024
"""Most bytes read from all members of one zip together."""

MAX_JSON_DEPTH = 200
"""Deepest JSON nesting accepted (Python's parser would raise RecursionError far deeper; this fails clearly)."""


def is_zip(data: bytes) -> bool:
    """True for the local-file or empty-archive signatures every zip writer puts first."""
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06")


@dataclass
class BoundedZip:
    """A zip opened for reading named members with size limits; members are found by normalised name."""

    source: str
    archive: zipfile.ZipFile
    names: dict[str, str]
    read_so_far: int = 0

    @classmethod
    def open(cls, data: bytes, source: str) -> BoundedZip:
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            infos = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, NotImplementedError) as exc:
            raise DefinitionError(f"not a readable zip ({exc})", source=source) from exc
        if len(infos) > MAX_MEMBERS:
            raise DefinitionError(f"the zip lists {len(infos)} members, more than {MAX_MEMBERS}", source=source)
        names: dict[str, str] = {}
        for info in infos:
            if info.is_dir():
                continue
            names.setdefault(normalise(info.filename), info.filename)
        return cls(source, archive, names)

    def find(self, name: str) -> str | None:
        """The real member name for `name` (compared normalised: case, slashes, leading `./` or `/`)."""
        return self.names.get(normalise(name))

    def matching(self, prefix: str, suffix: str) -> list[str]:
        """Normalised member names under `prefix` ending with `suffix`, in sorted order (stable imports)."""
        prefix, suffix = normalise(prefix), suffix.lower()
        return sorted(n for n in self.names if n.startswith(prefix) and n.endswith(suffix))

    def read(self, name: str) -> bytes:
        """The member's bytes, reading at most the limits whatever the header says."""
        real = self.names.get(normalise(name), name)
        where = f"{self.source}!{real}"
        budget = min(MAX_MEMBER_BYTES, MAX_TOTAL_BYTES - self.read_so_far)
        try:
            with self.archive.open(real) as member:
                data = member.read(budget + 1)
        except (zipfile.BadZipFile, KeyError, RuntimeError, NotImplementedError, OSError, EOFError) as exc:
            # RuntimeError: encrypted members; NotImplementedError: unknown compression; EOFError: truncated data.
            raise DefinitionError(f"cannot read this member ({exc})", source=where) from exc
        except Exception as exc:  # zlib.error and friends from a corrupt deflate stream
            raise DefinitionError(f"cannot read this member ({type(exc).__name__}: {exc})", source=where) from exc
        if len(data) > budget:
            limit = "per-member" if budget == MAX_MEMBER_BYTES else "total"
            raise DefinitionError(f"member inflates past the {limit} limit (a zip bomb?)", source=where)
        self.read_so_far += len(data)
        return data

    def read_json(self, name: str) -> Any:
        real = self.names.get(normalise(name), name)
        return parse_json(self.read(name), f"{self.source}!{real}")


def normalise(name: str) -> str:
    name = name.replace("\\", "/").lower()
    while name.startswith(("./", "/")):
        name = name[2:] if name.startswith("./") else name[1:]
    return name


def parse_json(data: bytes, source: str) -> Any:
    """Decode UTF-8 (with or without the BOM that Dataverse writes) and parse, failing with line and column."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DefinitionError(f"not UTF-8 text (byte {exc.start})", source=source) from exc
    return parse_json_text(text, source)


def parse_json_text(text: str, source: str) -> Any:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DefinitionError(
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}", source=source
        ) from exc
    except RecursionError as exc:
        raise DefinitionError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels", source=source) from exc
    if _depth(value) > MAX_JSON_DEPTH:
        raise DefinitionError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels", source=source)
    return value


def _depth(value: Any) -> int:
    """Nesting depth without recursion (a hostile file must not exhaust the stack here either)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > MAX_JSON_DEPTH:
                return deepest
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return deepest
