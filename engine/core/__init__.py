"""The core every feature uses: vocabulary, YAML loading, errors, scenarios, design files,
conditions, the rule book, the plan, the durable-rules matcher, the resolver, the engine and its cache.
"""
