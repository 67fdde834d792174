"""Vouchers: an eligible agent\x27s right to an agreement\x27s benefit at one facility, validated by the venue."""
