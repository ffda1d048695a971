"""PLACEHOLDER (being written): Learning paths and their history."""

from flask_smorest import Blueprint

blp = Blueprint("learning_paths", __name__, description="Learning paths and their history.")
