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
import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mlarch.core.errors import InputError, Problem

MAX_BYTES = 1_000_000
MAX_DEPTH = 32
MAX_NODES = 50_000
MAX_DIGITS = 100  # an integer literal; Python refuses to print ints over 4,300 digits
MAX_INT_BITS = 333  # about 10**100, for hexadecimal, octal and binary literals

PathT = tuple[str | int, ...]

STDIN = "-"  # the file name that means standard input
STDIN_SOURCE = "<stdin>"  # how errors name it
NO_SUCH_FILE = "no such file (a bundled example? `mlarch examples` lists them; use one by its name)"



class _DepthLimitedLoader(yaml.SafeLoader):
    """PyYAML's pure-Python loader, refusing deep nesting before its composer recurses.

    The composer calls itself once per level, so 10,000 nested ``[`` raise
    RecursionError long before :class:`_Builder` could count the depth.
    (libyaml's composer is C and does not have this problem.)
    """

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH + 2:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(None, None, f"nesting deeper than {MAX_DEPTH} levels", mark)
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self._depth -= 1


# libyaml's parser when present (several times faster), with the same safe constructor
_Loader = getattr(yaml, "CSafeLoader", _DepthLimitedLoader)

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
            [Problem(format_path(path), message, line=node.start_mark.line + 1)],
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
        if node.tag == "tag:yaml.org,2002:int" and len(node.value) > MAX_DIGITS:
            raise self.fail(node, path, f"numbers may have at most {MAX_DIGITS} digits")
        try:
            value = self.loader.construct_object(node, deep=True)
        except ValueError:  # e.g. Python's limit on int digits
            raise self.fail(node, path, "not a number mlarch can read; quote it to make it text") from None
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
            raise self.fail(node, path, f"numbers may have at most {MAX_DIGITS} digits")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(node, path, "numbers must be finite (no .inf or .nan)")
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise self.fail(node, path, "text contains an invalid character (lone surrogate)") from None
        return value


# What PyYAML's syntax errors usually mean in a hand-written file
_HINTS = (
    ("did not find expected key", "a key is indented more or less than its siblings"),
    ("mapping values are not allowed", "a key is indented more or less than its siblings, "
                                      "or a text value containing ': ' needs quotes"),
    ("could not find expected ':'", "a key needs ': ' after it, or a text value spanning lines needs quotes"),
    ("did not find expected ',' or ']'", "a [ list ] is not closed, or an item containing ',' or ']' needs quotes"),
    ("did not find expected ',' or '}'", "a { mapping } is not closed, or a value containing ',' or '}' needs quotes"),
    ("did not find expected '-' indicator", "a list item is indented more or less than the items before it"),
    ("found unexpected end of stream", "a quote or bracket is not closed"),
)


def syntax_hint(problem: str, text: str, mark: Any) -> str | None:
    """A plain-words cause for a YAML syntax error, when a usual one fits."""
    if mark is not None and "cannot start any token" in problem:
        lines = text.splitlines()
        if mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
            return "YAML is indented with spaces; this line has a tab"
        return "a value starting with @, ` or % needs quotes"
    return next((hint for start, hint in _HINTS if problem.startswith(start)), None)


def loads(text: str, source: str = "<string>") -> Document:
    """Parse YAML text into a :class:`Document`; raise :class:`InputError`."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise InputError.single(source, "", f"file is larger than {MAX_BYTES} bytes")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError.single(source, "", "the file is empty")
        builder = _Builder(loader, source)
        data = builder.build(node, (), ())
        return Document(data, source, builder.lines)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        problem = str(exc.problem or exc.context)
        message = f"invalid YAML: {problem}" + (f" ({hint})" if (hint := syntax_hint(problem, text, mark)) else "")
        raise InputError(source, [Problem("", message, line=line, column=column)]) from None
    except yaml.YAMLError as exc:
        raise InputError.single(source, "", f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()


_CHUNK = 1 << 16


def read_bounded(path: str | Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of ``path``, refused as soon as more than ``limit`` arrive.

    The one way mlarch reads an input file (every loader and the cache's
    hashing): the limit is checked while reading, so ``/dev/zero``, a huge
    sparse file or an endless pipe cost at most ``limit`` bytes of memory,
    and nothing is hashed before it passed. Raises :class:`InputError`.
    """
    source = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise InputError.single(source, "", NO_SUCH_FILE) from None
    except IsADirectoryError:
        raise InputError.single(source, "", "is a directory, expected a YAML file") from None
    except OSError as exc:
        raise InputError.single(source, "", f"cannot read file: {exc.strerror}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputError.single(source, "", "is a directory, expected a YAML file")
        if stat.S_ISREG(mode) and os.fstat(fd).st_size > limit:
            raise InputError.single(source, "", f"file is larger than {limit} bytes")
        chunks = bytearray()
        while True:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - len(chunks)))
            if not chunk:
                return bytes(chunks)
            chunks += chunk
            if len(chunks) > limit:
                raise InputError.single(source, "", f"file is larger than {limit} bytes")
    except OSError as exc:
        raise InputError.single(source, "", f"cannot read file: {exc.strerror}") from None
    finally:
        os.close(fd)


def yaml_files(folder: str | Path) -> list[Path]:
    """The ``*.yaml`` files of a folder, by name; an entry that is not a regular file
    (a FIFO would block the reader, a device never end) is an error, not a hang."""
    found = sorted(Path(folder).glob("*.yaml"), key=lambda p: p.name)
    for entry in found:
        try:
            mode = entry.stat().st_mode
        except OSError as exc:
            raise InputError.single(str(entry), "", f"cannot read file: {exc.strerror}") from None
        if not stat.S_ISREG(mode):
            raise InputError.single(str(entry), "", "is not a regular file (a folder, FIFO or device named *.yaml); "
                                    "remove it or name the files to read")
    return found


def document(source: str | Path | Document) -> Document:
    """``source`` when it is already parsed, else the file (or ``-``) read and parsed."""
    return source if isinstance(source, Document) else load(source)


def from_data(data: Any, source: str = "<mapping>") -> Document:
    """A Document from plain Python data (the API's mappings), held to the same rules as a file.

    The data goes through YAML and the same bounded, plain-data builder, so
    a mapping is accepted exactly when the same YAML file would be; errors
    name ``source`` and the key path (there are no lines).
    """
    try:
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    except yaml.YAMLError as exc:
        raise InputError.single(source, "", f"only plain data (mappings, lists, text, numbers, booleans) is accepted: {exc}") from None
    doc = loads(text, source)
    doc.lines.clear()
    return doc


def source_stem(source: str) -> str:
    """A default name for what was read from ``source`` (a file's stem; "stdin")."""
    return "stdin" if source == STDIN_SOURCE else Path(source).stem


def load(path: str | Path) -> Document:
    """Read and parse a YAML file (``-``: standard input); unreadable files are input errors too."""
    if str(path) == STDIN:
        return _decode(_read_stdin(), STDIN_SOURCE)
    return _decode(read_bounded(path), str(path))


def _read_stdin(limit: int = MAX_BYTES) -> bytes:
    """Standard input, refused as soon as more than ``limit`` bytes arrive."""
    chunks = bytearray()
    while True:
        chunk = sys.stdin.buffer.read(min(_CHUNK, limit + 1 - len(chunks)))
        if not chunk:
            return bytes(chunks)
        chunks += chunk
        if len(chunks) > limit:
            raise InputError.single(STDIN_SOURCE, "", f"input is larger than {limit} bytes")


def _decode(raw: bytes, source: str) -> Document:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError.single(source, "", f"not UTF-8 text (byte {exc.start})") from None
    return loads(text, source)
