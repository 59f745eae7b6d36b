"""The trace of a recommendation (``mlarch explain``), as text or plain data."""

from __future__ import annotations

from typing import Any

from mlarch.core.resolver import Support, format_value
from mlarch.core.serialize import engine_dict, support_dict
from mlarch.core.textfmt import effect, wrap
from mlarch.explain.trace import DimensionTrace, Tally, Trace, choice_effect


def _tally_text(t: Tally) -> str:
    if t.forbidden_by:
        return f"{t.choice} forbidden ({', '.join(t.forbidden_by)})"
    text = f"{t.choice} {t.score:+d}" + (f" (assumed {t.assumed:+d})" if t.assumed else "")
    if t.required_by:
        text += " required"
    return text


def _rule_lines(s: Support) -> list[str]:
    lines = wrap(f"{s.rule.id}: {choice_effect(s)}", "    * ", "      ")
    used = [f"{k} = {format_value(v)}" for k, v in s.facts.items()]
    used += [f"decision {k} = {format_value(v)}" for k, v in s.decisions.items()]
    if used:
        lines += wrap("on " + "; ".join(used), "      ", "        ")
    if s.unstated:
        lines += wrap("relying on not stated: " + ", ".join(s.unstated), "      ", "        ")
    lines += wrap(f"\"{s.text}\"", "      ", "       ")
    return lines


def dimension_lines(d: DimensionTrace) -> list[str]:
    if not d.applies:
        return wrap(f"[stage {d.step}] {d.dimension} ({d.stage}): {d.resolution}", "", "    ")
    dec = d.decision
    assert dec is not None
    head = f"[stage {d.step}] {d.dimension} ({d.stage}; applies {d.applies_when}) = {dec.choice}"
    lines = wrap(f"{head}  -- {dec.how}" + ("; rests on defaults" if dec.defaulted else ""), "", "    ")
    if d.notice is not None:
        lines += wrap(d.notice.text, "  ! ", "    ")
    if dec.considered:
        lines.append(f"  {len(dec.considered)} rule{'s' if len(dec.considered) != 1 else ''} fired:")
        for s in sorted(dec.considered, key=lambda s: (not s.rule.hard, -s.rule.weight, s.rule.id)):
            lines += _rule_lines(s)
        named = len(d.tallies)
        others = len(d.choices) - named
        rest = f" | {others} other choice{'s' if others != 1 else ''} 0 (no rule named them)" if others > 0 else ""
        lines += wrap("scores: " + " | ".join(_tally_text(t) for t in d.tallies) + rest, "  ", "    ")
    else:
        lines.append("  no rule fired")
    lines += wrap(f"resolution: {d.resolution}", "  ", "    ")
    if d.near_misses:
        lines.append(f"  {len(d.near_misses)} rule{'s' if len(d.near_misses) != 1 else ''} did not fire (closest first):")
        for m in d.near_misses:
            r = m.rule
            lines += wrap(f"{r.id} ({effect(r.verdict, r.weight)} {', '.join(r.choices)}): " + ("; ".join(m.failed) or "its dimension did not apply"),
                          "    - ", "      ")
    return lines


def render_trace_text(t: Trace) -> str:
    rec = t.recommendation
    out = [f"mlarch explain {rec.scenario.name}"]
    if rec.scenario.description:
        out += wrap(rec.scenario.description, "")
    stated = ", ".join(f"{k}={format_value(v)}" for k, v in rec.scenario.facts.items())
    out += wrap(f"facts: {stated or 'none stated'}", "", "  ")
    out.append(f"{len(rec.decisions)} decisions; {rec.rules_fired} of {rec.rules_loaded} rules fired; rule set {rec.rule_set_version}")
    for d in t.dimensions:
        out.append("")
        out += dimension_lines(d)
    return "\n".join(line.rstrip() for line in out) + "\n"


def dimension_dict(d: DimensionTrace) -> dict[str, Any]:
    out: dict[str, Any] = {
        "dimension": d.dimension,
        "stage": d.stage,
        "evaluation_stage": d.step,
        "applies_when": d.applies_when,
        "applies": d.applies,
        "resolution": d.resolution,
    }
    if d.decision is not None:
        dec = d.decision
        out["choice"] = dec.choice
        out["resolved_by"] = str(dec.how)
        out["score"] = dec.score
        out["defaulted"] = dec.defaulted
        out["lifecycle"] = d.notice.as_dict() if d.notice else None
        out["fired"] = [dict(support_dict(s), contribution=choice_effect(s)) for s in dec.considered]
        out["scores"] = [
            {"choice": t.choice, "score": t.score, "assumed": t.assumed, "prefer": list(t.prefer), "avoid": list(t.avoid),
             "forbidden_by": list(t.forbidden_by), "required_by": list(t.required_by)}
            for t in d.tallies
        ]
        out["alternatives"] = [
            {"choice": a.choice, "score": a.score, "status": str(a.status), "why_not": [{"rule": w.rule, "text": w.text} for w in a.why_not]}
            for a in dec.alternatives
        ]
    if d.near_misses:
        out["not_fired"] = [{"rule": m.rule.id, "verdict": m.rule.verdict, "choices": list(m.rule.choices), "failed": list(m.failed)}
                            for m in d.near_misses]
    return out


def trace_dict(t: Trace) -> dict[str, Any]:
    rec = t.recommendation
    return {
        "scenario": rec.scenario.name,
        "facts": {k: list(v) if isinstance(v, tuple) else v for k, v in rec.scenario.facts.items()},
        "dimensions": [dimension_dict(d) for d in t.dimensions],
        "engine": engine_dict(rec, fired=True),
    }
