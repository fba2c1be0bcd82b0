"""The HTTP API: the Flask app and what guards it (the secret, security checks, admission of work)."""
