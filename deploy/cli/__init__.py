"""`tessera`: run the federation, mint development tokens, run the demo, and talk to a
running federation (deploy/cli/app.py lists the commands and the exit codes)."""

from deploy.cli.app import app, main
from deploy.cli.context import ISSUER, token_factory

__all__ = ["ISSUER", "app", "main", "token_factory"]
