"""Use cases: wire the graph, the models and the domain rules."""
