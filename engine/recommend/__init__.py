"""`mlarch recommend` (and validate, check, examples, schema) with the recommendation's renderers.
"""
