from services.common.migrations_env import run
from services.scorer.models import Base

run(Base.metadata)
