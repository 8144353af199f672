import sys

from services.common.commands import service_main
from services.pseudonymiser.app import MIGRATIONS, create_app
from services.pseudonymiser.cli import COMMANDS
from services.pseudonymiser.settings import PseudonymiserSettings

if __name__ == "__main__":
    sys.exit(service_main(PseudonymiserSettings, create_app,
                          MIGRATIONS, COMMANDS))
