"""PLACEHOLDER (being written): Chapters and knowledge maps with mastery overlays."""

from flask_smorest import Blueprint

blp = Blueprint("maps", __name__, description="Chapters and knowledge maps with mastery overlays.")
