"""PLACEHOLDER (being written): LTI 1.3: OIDC login, launch, JWKS, grade passback."""

from flask_smorest import Blueprint

blp = Blueprint("lti", __name__, description="LTI 1.3: OIDC login, launch, JWKS, grade passback.")
