from pathlib import Path

from services.common.runtime import service_main
from services.scorer.app import create_app
from services.scorer.settings import ScorerSettings

if __name__ == "__main__":
    service_main(ScorerSettings, create_app, Path(__file__).parent / "migrations")
