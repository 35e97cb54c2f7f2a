from __future__ import annotations

import pytest

from referrals.signals import registration_changed


@pytest.fixture
def registration_announcements():
    """What ``registration_changed`` announced during the test (each as the keyword arguments a listener gets)."""
    heard: list[dict] = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    registration_changed.connect(listener)
    yield heard
    registration_changed.disconnect(listener)
