from pathlib import Path

from services.common.runtime import service_main
from services.pseudonymiser.app import create_app
from services.pseudonymiser.settings import PseudonymiserSettings

if __name__ == "__main__":
    service_main(PseudonymiserSettings, create_app, Path(__file__).parent / "migrations")
