import sys
from pathlib import Path

from services.common.runtime import service_main
from services.reidentify.app import create_app
from services.reidentify.settings import ReidentifySettings

if __name__ == "__main__":
    if sys.argv[1:2] == ["verify-log"]:
        from services.reidentify.cli import main

        sys.exit(main(sys.argv[2:]))
    service_main(ReidentifySettings, create_app, Path(__file__).parent / "migrations")
