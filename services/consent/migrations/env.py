from services.common.migrations_env import run
from services.consent.models import Base

run(Base.metadata)
