"""The browser pages (HTML, CSS, ES modules and vendored libraries), shipped as package data."""
