from services.common.migrations_env import run
from services.pseudonymiser.models import Base

run(Base.metadata)
