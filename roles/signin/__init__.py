"""Signing in: the municipality's OpenID Provider, the second factor, and the administrator's rules."""

from roles.signin import admin_routes, cli  # noqa: F401  (they add their views and commands to bp)
from roles.signin.routes import bp

__all__ = ["bp"]
