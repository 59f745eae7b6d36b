"""The rule base as a whole: `mlarch rules`, `rules show`, `test` (rule examples), `coverage`.
"""
