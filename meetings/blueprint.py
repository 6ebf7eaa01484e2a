"""The meetings area's one blueprint; its views live in several route modules."""

from flask import Blueprint

bp = Blueprint("meetings", __name__)
