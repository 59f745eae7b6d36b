"""Safe, bounded YAML loading that remembers where every key came from.

PyYAML's ``safe_load`` is safe against code execution but not against
resource exhaustion (alias "billion laughs", deep nesting) and it silently
keeps the last of two duplicate keys. Scenario, rule, design and question
files all come through here instead, so that:

* only plain data comes out (mappings with string keys, lists, strings,
  numbers, booleans, null); dates, binary, sets and merge keys are refused;
* size, nesting depth and the number of nodes after alias expansion are
  bounded;
* a duplicate key is an error, not a silent overwrite;
* every key path maps to its line, so errors can say ``file:line: path``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mlarch.core.errors import YAML, InputError, Problem

MAX_BYTES = 1_000_000
MAX_DEPTH = 32
MAX_NODES = 50_000

PathT = tuple[str | int, ...]

# libyaml's parser when present (several times faster), with the same safe constructor
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


def format_path(path: PathT) -> str:
    """Render ``("rules", 3, "when")`` as ``rules[3].when``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


@dataclass
class Document:
    """Plain data plus the line of every key path, for error messages."""

    data: Any
    source: str
    lines: dict[PathT, int] = field(default_factory=dict)

    def line_of(self, path: PathT) -> int | None:
        """Line of ``path`` or of its nearest ancestor that has one."""
        path = tuple(path)
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]

    def problem(self, path: PathT, message: str, **kw: Any) -> Problem:
        return Problem(format_path(path), message, line=self.line_of(path), **kw)


class _Builder:
    def __init__(self, loader: Any, source: str) -> None:
        self.loader = loader
        self.source = source
        self.lines: dict[PathT, int] = {}
        self.nodes = 0

    def fail(self, node: Node, path: PathT, message: str) -> InputError:
        return InputError(
            self.source,
            [Problem(format_path(path), message, line=node.start_mark.line + 1, code=YAML)],
        )

    def build(self, node: Node, path: PathT, active: tuple[int, ...]) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(node, path, f"document expands to more than {MAX_NODES} nodes (alias bomb?)")
        if len(path) > MAX_DEPTH:
            raise self.fail(node, path, f"nesting deeper than {MAX_DEPTH} levels")
        if id(node) in active:
            raise self.fail(node, path, "recursive alias")
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        active = active + (id(node),)
        if isinstance(node, SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                raise self.fail(node, path, f"unsupported tag {node.tag}")
            return [self.build(item, path + (i,), active) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            if node.tag != "tag:yaml.org,2002:map":
                raise self.fail(node, path, f"unsupported tag {node.tag} (only plain mappings)")
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise self.fail(key_node, path, "merge keys (<<) are not supported; write the keys out")
                key = self.scalar(key_node, path) if isinstance(key_node, ScalarNode) else None
                if not isinstance(key, str):
                    hint = f" (YAML reads {key_node.value!r} as {key!r}; quote it)" if isinstance(key_node, ScalarNode) else ""
                    raise self.fail(key_node, path, "keys must be strings" + hint)
                if key in result:
                    first = self.lines.get(path + (key,))
                    raise self.fail(key_node, path + (key,), f"duplicate key (first defined on line {first})")
                self.lines[path + (key,)] = key_node.start_mark.line + 1
                result[key] = self.build(value_node, path + (key,), active)
            return result
        raise self.fail(node, path, "unsupported YAML node")  # pragma: no cover

    def scalar(self, node: ScalarNode, path: PathT) -> Any:
        if node.tag not in _PLAIN_TAGS:
            if node.tag.startswith("tag:yaml.org,2002:") and "python/" not in node.tag:
                kind = node.tag.rsplit(":", 1)[-1]
                message = f"{kind} values are not supported; quote {node.value!r} to make it text"
            else:
                message = f"YAML tag {node.tag!r} is not allowed (only plain data)"
            raise self.fail(node, path, message)
        value = self.loader.construct_object(node, deep=True)
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(node, path, "numbers must be finite (no .inf or .nan)")
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise self.fail(node, path, "text contains an invalid character (lone surrogate)") from None
        return value


def loads(text: str, source: str = "<string>") -> Document:
    """Parse YAML text into a :class:`Document`; raise :class:`InputError`."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise InputError.single(source, "", f"file is larger than {MAX_BYTES} bytes", code=YAML)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError.single(source, "", "the file is empty", code=YAML)
        builder = _Builder(loader, source)
        data = builder.build(node, (), ())
        return Document(data, source, builder.lines)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise InputError.single(source, "", f"invalid YAML: {exc.problem or exc.context}", line=line, code=YAML) from None
    except yaml.YAMLError as exc:
        raise InputError.single(source, "", f"invalid YAML: {exc}", code=YAML) from None
    finally:
        loader.dispose()


def load(path: str | Path) -> Document:
    """Read and parse a YAML file; unreadable files are input errors too."""
    path = Path(path)
    source = str(path)
    try:
        if path.is_dir():
            raise InputError.single(source, "", "is a directory, expected a YAML file", code=YAML)
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError.single(source, "", f"file is larger than {MAX_BYTES} bytes", code=YAML)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError.single(source, "", "no such file", code=YAML) from None
    except OSError as exc:
        raise InputError.single(source, "", f"cannot read file: {exc.strerror}", code=YAML) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError.single(source, "", f"not UTF-8 text (byte {exc.start})", code=YAML) from None
    return loads(text, source)
