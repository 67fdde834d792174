"""Swap proposals (2–4 homes, one stay per host home), their confirmation and the reviews that follow.

A Django app of its own (label `swaps`) inside the `exchanges` package: it uses the homes' models and
services, and keeps its own migrations.
"""
