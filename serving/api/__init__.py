"""The HTTP API: the app factory and one router per resource."""
from sohoa.serving.api.app import create_app

__all__ = ["create_app"]
