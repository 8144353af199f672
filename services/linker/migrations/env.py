from services.common.migrations_env import run
from services.linker.models import Base

run(Base.metadata)
