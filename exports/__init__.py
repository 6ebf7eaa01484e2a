"""What leaves Rundbord: the citizen summary, invitations, the citizen's data export.

Builders are pure functions of data; `routes.py` only sends what they build.
"""

from exports.routes import bp

__all__ = ["bp"]
