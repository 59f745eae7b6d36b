"""`mlarch adr`: one MADR Architecture Decision Record per decision.
"""
