import sys

from services.common.commands import service_main
from services.scorer.app import MIGRATIONS, create_app
from services.scorer.cli import COMMANDS
from services.scorer.settings import ScorerSettings

if __name__ == "__main__":
    sys.exit(service_main(ScorerSettings, create_app, MIGRATIONS,
                          COMMANDS))
