"""`mlarch review`: a proposed design judged against the rules, as text, JSON, Markdown or SARIF.
"""
