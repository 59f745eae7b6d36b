"""``mlarch why-not`` output: what stops a choice, and the smallest changes that make it win."""

from __future__ import annotations

import itertools
from typing import Any

from mlarch.core.textfmt import wrap
from mlarch.explain.whynot import Solution, WhyNotResult, show_value

SHOWN = 10  # groups of solutions printed in text; JSON has them all
MAX_EFFECTS = 4
WITH_REASON = 3  # the first groups also quote the rule that now decides


def groups(solutions: tuple[Solution, ...]) -> list[tuple[list[tuple[str, Any, list[Any]]], Solution]]:
    """Solutions merged into boxes: sets of values per fact whose every combination is a solution.

    Two entries over the same facts that differ in one fact's values merge
    into one (``framework -> tensorflow | pytorch``), repeatedly, so each
    printed line stands for exactly the solutions it lists, in search order.
    """
    boxes: list[tuple[tuple[str, ...], list[list[Any]], Solution]] = [
        (tuple(c.fact for c in s.changes), [[c.after] for c in s.changes], s) for s in solutions
    ]
    merged = True
    while merged:
        merged = False
        for i, j in itertools.combinations(range(len(boxes)), 2):
            (fa, va, sa), (fb, vb, _) = boxes[i], boxes[j]
            if fa != fb:
                continue
            differ = [k for k in range(len(fa)) if va[k] != vb[k]]
            if len(differ) == 1:
                k = differ[0]
                values = va[:k] + [va[k] + [v for v in vb[k] if v not in va[k]]] + va[k + 1:]
                boxes[i] = (fa, values, sa)
                del boxes[j]
                merged = True
                break
    return [([(f, s.changes[k].before, values[k]) for k, f in enumerate(facts)], s) for facts, values, s in boxes]


def _change_text(fact: str, before: Any, values: list[Any]) -> str:
    after = " | ".join(show_value(v) for v in values)
    return f"{fact}: {show_value(before)} -> {after}"


def render_whynot_text(r: WhyNotResult) -> str:
    out = [f"mlarch why-not {r.dimension} = {r.choice} for {r.scenario.name}"]
    if r.notice is not None:  # worth knowing before changing anything to get it
        out += wrap(f"{r.choice}: {r.notice.text}", "! ", "  ")
    if r.already:
        out.append(f"{r.dimension} = {r.choice} is already the recommendation.")
        return "\n".join(out) + "\n"
    out += ["", "What stops it:"]
    for b in r.blockers:
        out += wrap(b, "  - ", "    ")
    out.append("")
    if r.impossible:
        out += wrap(f"No change of facts can make it the recommendation: {r.impossible}.", "")
        return "\n".join(line.rstrip() for line in out) + "\n"
    scope = (f"{len(r.relevant)} facts tested by the rules of {r.dimension} and the dimensions it depends on; "
             f"{r.candidates} single changes; {r.evaluations} scenarios evaluated")
    if r.solutions:
        size = len(r.solutions[0].changes)
        grouped = groups(r.solutions)
        head = f"Smallest changes that make it the recommendation ({size} fact{'s' if size != 1 else ''} each; "
        out += wrap(head + f"{len(r.solutions)} found; searched {scope}):", "")
        for n, (changes, first) in enumerate(grouped[:SHOWN], 1):
            out += wrap("; ".join(_change_text(f, b, v) for f, b, v in changes), f"{n:>3}. ", "     ")
            if first.problem_changes:
                out += wrap(f"(changes the problem itself: {', '.join(first.problem_changes)}; not a design choice)",
                            "     ", "       ")
            if n <= WITH_REASON:
                for s in first.decision.reasons[:1]:
                    out += wrap(f"then {r.dimension} = {r.choice}: {s.text} [{s.rule.id}]", "     ", "       ")
            if first.side_effects:
                effects = [f"{d} -> {a or '(does not apply)'}" for d, _, a in first.side_effects[:MAX_EFFECTS]]
                more = len(first.side_effects) - MAX_EFFECTS
                n_eff = len(first.side_effects)
                out += wrap(f"also changes {n_eff} other decision{'s' if n_eff != 1 else ''}: " + ", ".join(effects)
                            + (f", +{more} more" if more > 0 else ""), "     ", "       ")
        if len(grouped) > SHOWN:
            out.append(f"  ... and {len(grouped) - SHOWN} more (see --format json)")
    else:
        if r.exhaustive:
            limit = "one fact" if r.max_changes == 1 else f"up to {r.max_changes} facts"
            out += wrap(f"No change of {limit} makes it the recommendation (searched {scope}). "
                        "More changes, or new rules, would be needed.", "")
        else:
            out += wrap(f"No change found; the search {r.stopped or 'was limited'} before trying every combination "
                        f"(searched {scope}). Try --max-changes or --budget.", "")
    return "\n".join(line.rstrip() for line in out) + "\n"


def _plain(v: Any) -> Any:
    return list(v) if isinstance(v, tuple) else v


def whynot_dict(r: WhyNotResult) -> dict[str, Any]:
    current = r.recommendation.decisions.get(r.dimension)
    return {
        "scenario": r.scenario.name,
        "dimension": r.dimension,
        "choice": r.choice,
        "recommended": current.choice if current else None,
        "already": r.already,
        "lifecycle": r.notice.as_dict() if r.notice else None,
        "blockers": list(r.blockers),
        "impossible": r.impossible,
        "search": {
            "max_changes": r.max_changes,
            "relevant_facts": list(r.relevant),
            "single_changes": r.candidates,
            "evaluations": r.evaluations,
            "exhaustive": r.exhaustive,
            "stopped": r.stopped,
        },
        "solutions": [
            {
                "changes": [{"fact": c.fact, "before": _plain(c.before), "after": _plain(c.after)} for c in s.changes],
                "reasons": [{"rule": x.rule.id, "text": x.text} for x in s.decision.reasons],
                "side_effects": [{"dimension": d, "before": b, "after": a} for d, b, a in s.side_effects],
                "changes_problem": list(s.problem_changes),
            }
            for s in r.solutions
        ],
    }
