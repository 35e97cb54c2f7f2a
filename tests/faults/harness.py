"""Real processes for the fault tests: a private redis-server, Celery workers and beat, an SMTP sink.

Every process is started in its own session so it (and a prefork worker's children) can be killed
as a group; every wait has a deadline. Nothing here touches the machine's Redis on 6379.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).parent / "celery")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(predicate: Callable[[], bool], *, timeout: float, what: str, every: float = 0.2) -> float:
    """Seconds it took; AssertionError naming ``what`` after ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(every)
    raise AssertionError(f"Timed out after {timeout:.0f}s waiting for {what}")


def _stop_group(process: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class RedisServer:
    """A redis-server of our own on a free port, with no persistence: a restart loses every queued task."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed"
        self.process = subprocess.Popen(  # noqa: S603 - a fixed command line of our own
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                "--logfile",
                str(self.workdir / "redis.log"),
            ],
            start_new_session=True,
        )
        wait_until(self.answers, timeout=10, what="the private redis-server")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        _stop_group(self.process, signal.SIGKILL)
        self.process = None


@dataclass
class Received:
    message_id: str
    at: float
    to: tuple[str, ...]


class SmtpSink:
    """An aiosmtpd server counting every accepted message by its Message-ID.

    ``delay`` holds each message that long before the 250 reply, so sends are in flight when a
    fault strikes. A message counts as delivered when the sink accepts it, as a real MTA's would.
    """

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.delay = 0.0
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self._lock:
            self.received.append(
                Received(str(message.get("Message-ID", "")), time.monotonic(), tuple(envelope.rcpt_tos))
            )
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def mark(self) -> int:
        with self._lock:
            return len(self.received)

    def since(self, mark: int) -> list[Received]:
        with self._lock:
            return list(self.received[mark:])

    def counts(self, mark: int = 0) -> Counter[str]:
        return Counter(r.message_id for r in self.since(mark))


@dataclass
class Processes:
    """Celery workers and beat in subprocesses against the test database, the private Redis and the sink."""

    env: dict[str, str]
    logdir: Path
    started: list[subprocess.Popen] = field(default_factory=list)
    _count: int = 0

    def _spawn(self, args: list[str], name: str) -> tuple[subprocess.Popen, Path]:
        """Start ``celery args``; returns the process and the file its console output goes to."""
        self._count += 1
        log = self.logdir / f"{name}-{self._count}.stderr"
        process = subprocess.Popen(  # noqa: S603 - a fixed command line of our own
            [CELERY, "-A", "config", *args],
            cwd=REPO,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(log, "w"),  # noqa: SIM115
            start_new_session=True,
        )
        self.started.append(process)
        return process, log

    def worker(self, *, concurrency: int = 2, name: str = "w") -> subprocess.Popen:
        process, log = self._spawn(
            [
                "worker",
                "-l",
                "INFO",
                "-P",
                "prefork",
                "-c",
                str(concurrency),
                "-n",
                f"{name}{self._count + 1}@%h",
                "--without-gossip",
                "--without-mingle",
                "--prefetch-multiplier",
                "1",
            ],
            "worker",
        )
        wait_until(
            lambda: (log.exists() and "ready." in log.read_text(errors="replace")) or process.poll() is not None,
            timeout=90,
            what="a Celery worker to be ready",
        )
        assert process.poll() is None, f"the worker exited: {log.read_text(errors='replace')[-2000:]}"
        return process

    def beat(self) -> subprocess.Popen:
        process, _ = self._spawn(
            [
                "beat",
                "-l",
                "INFO",
                "-S",
                "django_celery_beat.schedulers:DatabaseScheduler",
                "--schedule",
                str(self.logdir / "beat-schedule"),
            ],
            "beat",
        )
        return process

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        """SIGKILL the process and its children at once: a crash, not a shutdown."""
        _stop_group(process, signal.SIGKILL)

    @staticmethod
    def stop(process: subprocess.Popen) -> None:
        _stop_group(process, signal.SIGTERM)

    def stop_all(self) -> None:
        for process in self.started:
            _stop_group(process, signal.SIGTERM, timeout=10)
