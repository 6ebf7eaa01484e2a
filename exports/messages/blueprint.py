"""The messages sub-area's blueprint."""

from flask import Blueprint

bp = Blueprint("messages", __name__)
