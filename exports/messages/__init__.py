"""Messages that leave Rundbord: agreements after a meeting, reminders, the weekly overview, letters.

compose.py builds each message (plain text, HTML, printable letter) from one data structure;
mailer.py sends through Flask-Mailman and records how it went; cli.py is `send-reminders`;
routes.py holds the tovholder's "send" and "print" buttons.
"""

from exports.messages import routes  # noqa: F401  (views register on bp)
from exports.messages.blueprint import bp

__all__ = ["bp"]
