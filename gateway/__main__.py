import sys

from gateway.app import MIGRATIONS, create_app
from gateway.settings import GatewaySettings
from services.common.commands import service_main

if __name__ == "__main__":
    sys.exit(service_main(GatewaySettings, create_app, MIGRATIONS))
