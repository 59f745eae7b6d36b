"""Search over scenarios, shared by lint, why-not, mutation and the interview: finite domains of
every fact, sampling, witnesses, and evaluating conditions without the matcher.
"""
