"""Keeping the rule base consistent: `mlarch lint`, and the invariants the
property tests and the mutation check hold every recommendation to.

- evaluate.py: conditions evaluated in plain Python (independent of the matcher);
- domain.py: finite-domain reasoning (can a condition hold? does one imply another?);
- sampling.py, witness.py: deterministic scenarios, and concrete ones that show a finding;
- spec.py + invariants.yaml: named constraints, coherence and monotonicity, as data;
- invariants.py: the checks every recommendation must pass;
- checks.py, findings.py, command.py: the lint checks, their report, the CLI command.
"""
