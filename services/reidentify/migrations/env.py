from services.common.migrations_env import run
from services.reidentify.models import Base

run(Base.metadata)
