"""How the app runs its threads: the GIL handed back to the window often."""

from __future__ import annotations

import sys

import pytest

from smm_desk.app.gui import gil_handed_over_often


def test_the_switch_interval_is_short_while_the_app_runs_and_restored_after() -> None:
    before = sys.getswitchinterval()
    with gil_handed_over_often(0.001):
        assert sys.getswitchinterval() == pytest.approx(0.001)
    assert sys.getswitchinterval() == before
    with pytest.raises(RuntimeError), gil_handed_over_often(0.002):
        raise RuntimeError("the app failed")
    assert sys.getswitchinterval() == before
