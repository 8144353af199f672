"""A client library for accessing Tessera pseudonymiser"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
