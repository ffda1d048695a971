"""PLACEHOLDER (being written): Affect: emoji, image or audio (consent enforced), export and erasure."""

from flask_smorest import Blueprint

blp = Blueprint("affect", __name__, description="Affect: emoji, image or audio (consent enforced), export and erasure.")
