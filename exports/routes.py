"""Views that send exports: the summary (page and DOCX), invitations, the citizen's data."""

from flask import Blueprint

bp = Blueprint("exports", __name__)
