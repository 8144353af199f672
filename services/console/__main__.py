import sys

from services.common.commands import web_main
from services.console.app import create_app
from services.console.settings import ConsoleSettings

if __name__ == "__main__":
    sys.exit(web_main(ConsoleSettings, create_app))
