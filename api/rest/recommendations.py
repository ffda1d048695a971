"""PLACEHOLDER (being written): Recommendations with reasons, more like this, the adapted plan."""

from flask_smorest import Blueprint

blp = Blueprint("recommendations", __name__, description="Recommendations with reasons, more like this, the adapted plan.")
