import pytest

from meetings import signals


@pytest.fixture
def received():
    """Signals the meetings app sent, as (signal name, kwargs)."""
    calls = []
    receivers = {}
    for name in ("meeting_scheduled", "meeting_updated", "meeting_cancelled", "action_assigned"):

        def receiver(sender, _name=name, **kwargs):
            calls.append((_name, {k: v for k, v in kwargs.items() if k != "signal"}))

        receivers[name] = receiver
        getattr(signals, name).connect(receiver, weak=False)
    yield calls
    for name, receiver in receivers.items():
        getattr(signals, name).disconnect(receiver)
