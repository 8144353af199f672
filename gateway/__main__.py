import sys
from pathlib import Path

from gateway.app import create_app
from gateway.settings import GatewaySettings
from services.common.commands import service_main

if __name__ == "__main__":
    sys.exit(service_main(GatewaySettings, create_app, Path(__file__).parent / "migrations"))
