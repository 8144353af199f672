import sys
from pathlib import Path

from services.common.runtime import service_main
from services.pseudonymiser.app import create_app
from services.pseudonymiser.settings import PseudonymiserSettings

if __name__ == "__main__":
    if sys.argv[1:2] in (["train"], ["relink"]):
        from services.pseudonymiser.cli import main

        sys.exit(main(sys.argv[1:]))
    service_main(PseudonymiserSettings, create_app, Path(__file__).parent / "migrations")
