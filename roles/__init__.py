"""People, login, roles per course and permissions."""

from roles.routes import bp

__all__ = ["bp"]
