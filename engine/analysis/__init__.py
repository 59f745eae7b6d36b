"""Search over scenarios, shared by lint, why-not, mutation and the interview: finite domains of
every fact and the numbers worth trying (domain.threshold_points), sampling, witnesses. Conditions
are evaluated without the matcher by core/evaluate.py.
"""
