"""Development settings: `make run` and the test suite. DEBUG on, console email."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
