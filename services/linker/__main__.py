import sys
from pathlib import Path

from services.common.commands import service_main
from services.linker.app import create_app
from services.linker.settings import LinkerSettings

if __name__ == "__main__":
    sys.exit(service_main(LinkerSettings, create_app, Path(__file__).parent / "migrations"))
