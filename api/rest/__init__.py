"""The web API: Flask blueprints described with flask-smorest (marshmallow schemas, OpenAPI 3,
pagination), behind one authentication gate and one problem+json error format."""
