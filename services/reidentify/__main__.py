import sys

from services.common.commands import service_main
from services.reidentify.app import MIGRATIONS, create_app
from services.reidentify.cli import COMMANDS
from services.reidentify.settings import ReidentifySettings

if __name__ == "__main__":
    sys.exit(service_main(ReidentifySettings, create_app, MIGRATIONS,
                          COMMANDS))
