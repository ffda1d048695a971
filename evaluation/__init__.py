"""Offline evaluations: recommendation replay, baselines, figures."""
