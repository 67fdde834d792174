"""Agreements (conventions): a provider's benefit at its facilities, approved by an officer of the territory.
The model and its workflow are declared in local_offers/models.py; this package holds its services,
selectors, events, API, pages and periodic task."""
