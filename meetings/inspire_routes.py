"""Recovery and meeting feedback: Brief INSPIRE and session ratings."""

from meetings.blueprint import bp  # noqa: F401
