"""PLACEHOLDER (being written): Attempts: single and batch ingestion (idempotent by event id), learning-data queries."""

from flask_smorest import Blueprint

blp = Blueprint("attempts", __name__, description="Attempts: single and batch ingestion (idempotent by event id), learning-data queries.")
