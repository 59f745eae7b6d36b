"""``mlarch what-if`` output: the changes, the decisions that changed and why, the new recommendation."""

from __future__ import annotations

from typing import Any

from mlarch.core.serialize import support_dict, to_dict
from mlarch.core.textfmt import wrap
from mlarch.explain.whatif import Difference, WhatIf
from mlarch.explain.whynot import show_value

MAX_REASONS = 3


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def difference_lines(d: Difference) -> list[str]:
    before = d.before if d.before is not None else "(does not apply)"
    after = d.after if d.after is not None else "(does not apply)"
    lines = [f"  {d.dimension}: {before} -> {after}"]
    if d.note:
        lines += wrap(d.note, "      ")
    if d.notice is not None:
        lines += wrap(d.notice.text, "    ! ", "      ")
    if d.decision is not None:
        for s in d.decision.reasons[:MAX_REASONS]:
            lead = "" if d.decision.choice in s.rule.choices else f"rules out {', '.join(s.rule.choices)}: "
            lines += wrap(f"{lead}{s.text} [{s.rule.id}]", "    + ", "      ")
    for w in d.why_not_before:
        lines += wrap(f"{d.before}: {w.cited()}", "    x ", "      ")
    return lines


def render_whatif_text(w: WhatIf) -> str:
    out = [f"mlarch what-if for {w.scenario.name}"]
    out += wrap("changes: " + "; ".join(f"{f}: {show_value(b)} -> {show_value(a)}" for f, (b, a) in w.changes.items()), "", "  ")
    out.append("")
    n = len(w.differences)
    if not n:
        out.append("No decision changes: the recommendation stays the same.")
    else:
        out.append(f"{n} decision{'s' if n != 1 else ''} change{'s' if n == 1 else ''}:")
        for d in w.differences:
            out += difference_lines(d)
    out += ["", "Recommendation after the changes (* = changed):"]
    changed = {d.dimension for d in w.differences}
    width = max((len(d) for d in w.after.decisions), default=0)
    for dim, dec in w.after.decisions.items():
        mark = "*" if dim in changed else " "
        out.append(f" {mark} {dim:<{width}}  {dec.choice}" + ("  (default)" if dec.defaulted else ""))
    gone = [d.dimension for d in w.differences if d.after is None]
    if gone:
        out += wrap("no longer apply: " + ", ".join(gone), "   ")
    return "\n".join(line.rstrip() for line in out) + "\n"


def whatif_dict(w: WhatIf) -> dict[str, Any]:
    return {
        "scenario": w.scenario.name,
        "changes": {f: {"before": _plain(b), "after": _plain(a)} for f, (b, a) in w.changes.items()},
        "diff": [
            {
                "dimension": d.dimension,
                "before": d.before,
                "after": d.after,
                "note": d.note,
                "lifecycle": d.notice.as_dict() if d.notice else None,
                "reasons": [support_dict(s) for s in d.decision.reasons] if d.decision else [],
                "why_not_before": [{"rule": x.rule, "text": x.text} for x in d.why_not_before],
            }
            for d in w.differences
        ],
        "recommendation": to_dict(w.after),
    }
