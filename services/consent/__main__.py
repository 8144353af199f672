import sys

from services.common.commands import service_main
from services.consent.app import MIGRATIONS, create_app
from services.consent.settings import ConsentSettings

if __name__ == "__main__":
    sys.exit(service_main(ConsentSettings, create_app, MIGRATIONS))
