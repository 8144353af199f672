from pathlib import Path

from services.common.runtime import service_main
from services.linker.app import create_app
from services.linker.settings import LinkerSettings

if __name__ == "__main__":
    service_main(LinkerSettings, create_app, Path(__file__).parent / "migrations")
