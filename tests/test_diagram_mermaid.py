"""Mermaid output passes a syntax check for every bundled scenario, for
designs and for hostile text.

Two checks: ``check`` below is a strict grammar of the flowchart subset
mlarch writes (it accepts exactly the statements engine/diagram/mermaid.py
emits and rejects anything else, so a label that smuggled a quote, bracket,
pipe, ``%%`` comment, backtick or raw HTML into the source, or a reference
to an undeclared node, fails). And the real Mermaid parser (npm ``mermaid``
with ``jsdom``, run by tools/mermaid_check.mjs) where Node.js can install it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mlarch.core.scenario import load_scenario
from mlarch.core.vocabulary import load_vocabulary
from mlarch.diagram import build_diagram, to_mermaid
from mlarch.diagram.dot import Options
from mlarch.diagram.render import markdown_block

from .conftest import ROOT
from .test_diagram_support import HOSTILE, SCENARIOS, bundled, hostile_engine, hostile_pins, hostile_scenario

# ------------------------------------------------------------------ grammar

ID = r"[A-Za-z_][A-Za-z0-9_]*"
RESERVED = {"end", "graph", "subgraph", "flowchart", "style", "class", "classDef", "linkStyle", "click", "direction", "default", "call", "href"}
LABEL = r'"[^"]*"'  # a quoted label: no double quote inside
SHAPES = [
    (r"\[\(", r"\)\]"), (r"\(\[", r"\]\)"), (r"\[\[", r"\]\]"), (r"\(\(", r"\)\)"), (r"\{\{", r"\}\}"),
    (r"\[/", r"/\]"), (r"\[\\", r"\\\]"), (r"\[/", r"\\\]"), (r"\[\\", r"/\]"),
    (r"\[", r"\]"), (r"\(", r"\)"), (r">", r"\]"),
]
NODE = "(?:" + "|".join(f"{o}{LABEL}{c}" for o, c in SHAPES) + ")"
ALLOWED_TAGS = {"<b>", "</b>", "<i>", "</i>", "<br/>"}
PROPS = r"[a-z-]+:[#A-Za-z0-9. ]+(?:,[a-z-]+:[#A-Za-z0-9. ]+)*"
RE = {
    "flowchart": re.compile(r"^flowchart (LR|TB)$"),
    "subgraph": re.compile(rf"^subgraph ({ID})\[({LABEL})\]$"),
    "direction": re.compile(r"^direction (LR|TB)$"),
    "end": re.compile(r"^end$"),
    "node": re.compile(rf"^({ID})({NODE})(?::::({ID}))?$"),
    "edge": re.compile(rf"^({ID})({NODE})? (-->|-\.->|~~~)(?:\|({LABEL})\|)? ({ID})({NODE})?$"),
    "classDef": re.compile(rf"^classDef ({ID}) ({PROPS})$"),
    "class": re.compile(rf"^class ({ID}(?:,{ID})*) ({ID})$"),
    "style": re.compile(rf"^style ({ID}) ({PROPS})$"),
    "linkStyle": re.compile(rf"^linkStyle (\d+(?:,\d+)*) ({PROPS})$"),
}


class MermaidSyntaxError(ValueError):
    pass


def check_label(label: str, where: str) -> None:
    body = label[1:-1]
    for tag in re.findall(r"<[^>]*>", body):
        if tag not in ALLOWED_TAGS:
            raise MermaidSyntaxError(f"{where}: tag {tag!r} not allowed in a label")
    text = re.sub(r"#\d+;", "", re.sub(r"<[^>]*>", "", body))  # tags and entity codes are fine
    if "#" in text:
        raise MermaidSyntaxError(f"{where}: '#' must start an entity code like #35; in {body!r}")
    if re.search(r"[<>`\"\\|{}\[\];%&]", text):
        raise MermaidSyntaxError(f"{where}: unescaped syntax character in label {body!r}")
    if any(ord(ch) < 32 or 0x200B <= ord(ch) <= 0x200F or 0x202A <= ord(ch) <= 0x202E for ch in text):
        raise MermaidSyntaxError(f"{where}: control or bidi character in label")


def check(source: str) -> dict[str, int]:
    """Raise MermaidSyntaxError unless ``source`` is well-formed; return counts."""
    lines = source.split("\n")
    if lines[-1] != "":
        raise MermaidSyntaxError("source must end with a newline")
    lines = lines[:-1]
    if lines[:1] == ["---"]:
        if len(lines) < 3 or lines[2] != "---" or not re.fullmatch(r'title: "[\w .,:/+()\'!?=@·-]*"', lines[1]):
            raise MermaidSyntaxError("front matter must be exactly a plain title")
        lines = lines[3:]
    if not lines or not RE["flowchart"].match(lines[0]):
        raise MermaidSyntaxError("first statement must be 'flowchart LR|TB'")
    declared: set[str] = set()
    used: list[tuple[str, int]] = []
    classes: set[str] = set()
    class_uses: list[tuple[str, int]] = []
    depth = links = 0
    link_styles: list[tuple[int, int]] = []

    def declare(nid: str, where: str) -> None:
        if nid in RESERVED:
            raise MermaidSyntaxError(f"{where}: reserved word {nid!r} used as an id")
        declared.add(nid)

    for no, raw in enumerate(lines[1:], start=2):
        line = raw.strip()
        where = f"line {no}"
        if raw != raw.rstrip() or "\t" in raw or not line:
            raise MermaidSyntaxError(f"{where}: empty line, trailing whitespace or tab")
        if m := RE["subgraph"].match(line):
            declare(m.group(1), where)
            check_label(m.group(2), where)
            depth += 1
        elif RE["direction"].match(line):
            if depth == 0:
                raise MermaidSyntaxError(f"{where}: direction outside a subgraph")
        elif RE["end"].match(line):
            depth -= 1
            if depth < 0:
                raise MermaidSyntaxError(f"{where}: 'end' without subgraph")
        elif m := RE["edge"].match(line):
            for nid, node in ((m.group(1), m.group(2)), (m.group(5), m.group(6))):
                if node:
                    declare(nid, where)
                    check_label(node[node.index('"'):node.rindex('"') + 1], where)
                else:
                    used.append((nid, no))
            if m.group(4):
                check_label(m.group(4), where)
            links += 1
        elif m := RE["node"].match(line):
            declare(m.group(1), where)
            node = m.group(2)
            check_label(node[node.index('"'):node.rindex('"') + 1], where)
            if m.group(3):
                class_uses.append((m.group(3), no))
        elif m := RE["classDef"].match(line):
            classes.add(m.group(1))
        elif m := RE["class"].match(line):
            used += [(n, no) for n in m.group(1).split(",")]
            class_uses.append((m.group(2), no))
        elif m := RE["style"].match(line):
            used.append((m.group(1), no))
        elif m := RE["linkStyle"].match(line):
            link_styles += [(int(i), no) for i in m.group(1).split(",")]
        else:
            raise MermaidSyntaxError(f"{where}: not a statement of the mlarch subset: {line!r}")
    if depth:
        raise MermaidSyntaxError("unclosed subgraph")
    for nid, no in used:
        if nid not in declared:
            raise MermaidSyntaxError(f"line {no}: {nid!r} is not declared")
    for cls, no in class_uses:
        if cls not in classes:
            raise MermaidSyntaxError(f"line {no}: class {cls!r} has no classDef")
    for index, no in link_styles:
        if index >= links:
            raise MermaidSyntaxError(f"line {no}: linkStyle {index} but only {links} links")
    return {"nodes": len(declared), "links": links}


# ------------------------------------------------------------------ outputs


@pytest.fixture(scope="module")
def outputs(bundled_engine, tmp_path_factory) -> dict[str, str]:
    """Mermaid text for every bundled scenario, some variants, designs and hostile text."""
    out: dict[str, str] = {}
    for path in SCENARIOS:
        out[path.stem] = to_mermaid(build_diagram(bundled_engine.evaluate(load_scenario(path, vocab=load_vocabulary()))))
    fraud = bundled_engine.evaluate(bundled("fraud-realtime-scoring"))
    out["variant-tb-no-legend"] = to_mermaid(build_diagram(fraud), Options(direction="TB", legend=False))
    churn = bundled("churn-bigquery-sql-team")
    design = {"approach": "custom_training", "orchestration": "none", "monitoring": "none", "serving_mode": "online"}
    rec = bundled_engine.evaluate(churn)
    out["design"] = to_mermaid(build_diagram(rec, design, bundled_engine.evaluate(churn, pinned=design)))
    engine = hostile_engine(tmp_path_factory)
    out["hostile"] = to_mermaid(build_diagram(engine.evaluate(hostile_scenario(), pinned=hostile_pins())))
    engine.close()
    return out


def test_every_output_passes_the_grammar(outputs):
    for name, text in outputs.items():
        check(text)  # raises with the line on failure
        assert text.startswith("---\ntitle: "), name


def test_node_and_link_counts_match_the_model(bundled_engine):
    for path in SCENARIOS[:10]:
        d = build_diagram(bundled_engine.evaluate(load_scenario(path, vocab=load_vocabulary())))
        counts = check(to_mermaid(d, Options(legend=False)))
        boxes = 1 + (1 if d.pipeline is not None else 0)  # the frame, and the pipeline box or node
        assert counts == {"nodes": len(d.components) + boxes, "links": len(d.flows)}, path.stem


def test_hostile_text_is_entity_escaped_and_still_readable(outputs):
    text = outputs["hostile"]
    assert "<script>" not in text and "%%" not in text and "`" not in text
    decoded = re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), text)
    assert "<script>alert(1)</script>" in decoded and "\\N \\G" in decoded


@pytest.mark.parametrize(
    "broken",
    [
        'flowchart LR\n  a["x " y"] --> b["z"]\n',  # a quote inside a label
        'flowchart LR\n  a["x"] --> b\n',  # b never declared
        'flowchart LR\n  end["x"]\n',  # a reserved word as id
        'flowchart LR\n  subgraph s["S"]\n  a["x"]\n',  # unclosed subgraph
        'flowchart LR\n  a["%% comment"]\n',  # a comment marker inside a label
        'flowchart LR\n  a["`md`"]\n',  # a Markdown string
        'flowchart LR\n  a["<img src=x>"]\n',  # raw HTML
        'flowchart LR\n  a["x #quot y"]\n',  # a broken entity
        'flowchart LR\n  a["x"]\n  linkStyle 0 stroke:#000000\n',  # style of a link that does not exist
        'flowchart LR\n  a["x"]:::nope\n',  # an undefined class
    ],
)
def test_the_grammar_rejects_what_mermaid_would_misread(broken):
    with pytest.raises(MermaidSyntaxError):
        check(broken)


def test_markdown_wraps_mermaid_in_a_fence(outputs):
    block = markdown_block(outputs["churn-bigquery-sql-team"])
    assert block.startswith("```mermaid\n---\n") and block.endswith("\n```\n")
    assert block.count("```") == 2


# ------------------------------------------------------------------ real parser

MERMAID_VERSION, JSDOM_VERSION = "11.17.2", "29.1.1"


def _node_modules() -> Path | None:
    """A folder with mermaid and jsdom installed: MERMAID_NODE_MODULES, a
    cached install, or a fresh one from the npm registry (skipped if none)."""
    given = os.environ.get("MERMAID_NODE_MODULES")
    if given:
        return Path(given)
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mlarch-tests" / f"mermaid-{MERMAID_VERSION}"
    modules = cache / "node_modules"
    if (modules / "mermaid" / "package.json").is_file() and (modules / "jsdom" / "package.json").is_file():
        return modules
    if not (shutil.which("node") and shutil.which("npm")):
        return None
    cache.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(cache),
             f"mermaid@{MERMAID_VERSION}", f"jsdom@{JSDOM_VERSION}"],
            check=True, capture_output=True, timeout=400,
        )
    except (subprocess.SubprocessError, OSError):
        return None
    return modules if (modules / "mermaid").is_dir() else None


def test_the_real_mermaid_parser_accepts_every_output(outputs, tmp_path):
    modules = _node_modules()
    if modules is None:
        pytest.skip("Node.js with npm (or MERMAID_NODE_MODULES) is needed for the real Mermaid parser")
    files = []
    for name, text in outputs.items():
        path = tmp_path / f"{name}.mmd"
        path.write_text(text, encoding="utf-8")
        files.append(str(path))
    bad = tmp_path / "broken.mmd"
    bad.write_text('flowchart LR\n  a["x " y"] --> b\n', encoding="utf-8")
    env = {**os.environ, "MERMAID_NODE_MODULES": str(modules)}
    result = subprocess.run(["node", str(ROOT / "tools" / "mermaid_check.mjs"), *files, str(bad)],
                            capture_output=True, text=True, env=env, timeout=300)
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("FAIL")] == [f"FAIL {bad}: " + lines[-1].split(": ", 1)[1]], result.stdout + result.stderr
    assert sum(line.startswith("ok ") for line in lines) == len(files)


def test_hostile_source_text_is_the_shared_fixture():
    assert "%%" in HOSTILE and '"' in HOSTILE  # the hostile output above really was hostile
