"""Administration: staff accounts, the first administrator, set-password links, grants."""

from roles.admin.routes import bp

__all__ = ["bp"]
