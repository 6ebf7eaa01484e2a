"""The tovholder's views between meetings: dashboard, follow-up, network map, consent, convening."""

from meetings.blueprint import bp  # noqa: F401
