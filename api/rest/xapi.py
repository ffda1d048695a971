"""PLACEHOLDER (being written): xAPI statements: ingestion mapped to attempts and activity."""

from flask_smorest import Blueprint

blp = Blueprint("xapi", __name__, description="xAPI statements: ingestion mapped to attempts and activity.")
