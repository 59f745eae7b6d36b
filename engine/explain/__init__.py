"""`mlarch explain`, `why-not` and `what-if`: the trace behind a recommendation and searched changes.
"""
