"""Consent: what the citizen agrees may be shared with whom, and the one rule for sharing."""
