"""Solidarity nights: a double-entry ledger of nights, moved only by one-way (non-reciprocal) stays."""
