import sys

from services.common.commands import service_main
from services.linker.app import MIGRATIONS, create_app
from services.linker.settings import LinkerSettings

if __name__ == "__main__":
    sys.exit(service_main(LinkerSettings, create_app, MIGRATIONS))
