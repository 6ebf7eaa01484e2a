"""Feedback: Brief INSPIRE, session ratings, and their charts."""
