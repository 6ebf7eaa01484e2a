"""The outreach sub-area's blueprint: reply pages, the "to send" list, how people get messages."""

from flask import Blueprint

bp = Blueprint("outreach", __name__)
