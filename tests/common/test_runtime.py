import gc
import sys

import pytest

from services.common.runtime import tune_interpreter
from services.common.settings import ServiceSettings


@pytest.fixture
def interpreter():
    threshold, interval = gc.get_threshold(), sys.getswitchinterval()
    yield
    gc.set_threshold(*threshold)
    sys.setswitchinterval(interval)


def test_services_collect_young_objects_less_often_and_switch_threads_sooner(interpreter):
    gc.set_threshold(700, 10, 10)
    tune_interpreter(ServiceSettings(gc_young_objects=20_000, switch_interval_ms=1.0))
    assert gc.get_threshold() == (20_000, 10, 10)
    assert sys.getswitchinterval() == pytest.approx(0.001)


def test_no_young_threshold_keeps_pythons_own(interpreter):
    gc.set_threshold(700, 10, 10)
    tune_interpreter(ServiceSettings(gc_young_objects=0))
    assert gc.get_threshold() == (700, 10, 10)


def test_a_negative_young_threshold_is_refused():
    with pytest.raises(ValueError, match="gc_young_objects"):
        ServiceSettings(gc_young_objects=-1)
