"""mlarch: a decision-support rules engine for ML architecture on Google Cloud.

Data flows one way: load (yamlio, scenario, rulebook) -> plan -> match
(matcher, on durable-rules) -> resolve (resolver) -> render (report/).
"""

__version__ = "0.1.0"
