"""PLACEHOLDER (being written): Tutor reports, interventions and notifications."""

from flask_smorest import Blueprint

blp = Blueprint("reports", __name__, description="Tutor reports, interventions and notifications.")
