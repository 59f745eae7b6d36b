"""Keeping the rule base consistent: `mlarch lint`, and the invariants the
property tests and the mutation check hold every recommendation to.

- (analysis/) finite domains, sampling and witnesses; (core/evaluate.py) conditions evaluated in plain Python;
- spec.py + invariants.yaml: named constraints, coherence and monotonicity, as data;
- invariants.py: the checks every recommendation must pass;
- registry.py: every check (code, severity, docs, function); checks.py: the functions; run.py: lint();
- findings.py, command.py: the report and the CLI command.
"""
