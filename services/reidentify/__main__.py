from pathlib import Path

from services.common.runtime import service_main
from services.reidentify.app import create_app
from services.reidentify.settings import ReidentifySettings

if __name__ == "__main__":
    service_main(ReidentifySettings, create_app, Path(__file__).parent / "migrations")
