#!/usr/bin/env python3
"""Start the web server, a Celery worker and Celery beat together; Ctrl-C stops all three.

Used by ``make run``. Without ``REDIS_URL`` the broker is kombu's filesystem transport under
var/celery-broker (no server needed); with it, Redis. Unless ``EMAIL_URL`` says otherwise, email
is written to files under var/sent-email/ (Django's file backend), one file per message.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PYTHON = sys.executable
ADDRESS = "127.0.0.1:8000"
STOP_TIMEOUT = 15


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.development")
    env.setdefault("EMAIL_URL", f"filemail:///{VAR / 'sent-email'}")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def commands() -> dict[str, list[str]]:
    celery = [PYTHON, "-m", "celery", "-A", "config"]
    return {
        "web": [PYTHON, "manage.py", "runserver", ADDRESS],
        "worker": [*celery, "worker", "--loglevel=INFO", "--concurrency=2", "--without-gossip", "--without-mingle"],
        # Exactly one beat: this is it. Its schedule is the django-celery-beat rows (editable in the admin).
        "beat": [*celery, "beat", "--loglevel=INFO"],
    }


def prepare(env: dict[str, str]) -> None:
    VAR.mkdir(exist_ok=True)
    (VAR / "sent-email").mkdir(exist_ok=True)
    if not env.get("REDIS_URL"):
        for folder in ("out", "processed", "control"):
            (VAR / "celery-broker" / folder).mkdir(parents=True, exist_ok=True)


def wait_for_web(processes: dict[str, subprocess.Popen], timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if processes["web"].poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"http://{ADDRESS}/healthz", timeout=2):
                return True
        except OSError as exc:
            if getattr(exc, "code", None) == 503:  # answering, database down: still show the sign-ins
                return True
            time.sleep(0.5)
    return False


def banner(env: dict[str, str]) -> str:
    signins = VAR / "demo_signins.txt"
    lines = ["", f"Manage MAPPA cases is running at http://{ADDRESS}/", ""]
    if signins.exists():
        lines += ["Demo sign-ins (synthetic accounts):", signins.read_text().rstrip(), ""]
    else:
        lines += ["No demo sign-ins found (var/demo_signins.txt); run `make demo-data` to create them.", ""]
    broker = "Redis at " + env["REDIS_URL"] if env.get("REDIS_URL") else "the filesystem broker in var/celery-broker/"
    email = env["EMAIL_URL"].split("://", 1)[0]
    where = f" in {VAR / 'sent-email'}/" if env["EMAIL_URL"].startswith("filemail:///" + str(VAR)) else ""
    lines += [
        f"Background work: a worker and beat, using {broker}.",
        f"Email: {email}{where}. Health: http://{ADDRESS}/healthz",
        "Press Ctrl-C to stop web, worker and beat.",
        "",
    ]
    return "\n".join(lines)


def stop(processes: dict[str, subprocess.Popen]) -> int:
    """SIGTERM each process, then SIGKILL what is left.

    runserver's reloader runs the server as a child, so web gets the signal as a group; Celery's
    main processes stop their own pool children (a warm shutdown finishes the tasks in hand).
    """
    for name, process in processes.items():
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                if name == "web":
                    os.killpg(process.pid, signal.SIGTERM)
                else:
                    process.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    for name, process in processes.items():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"{name} did not stop in {STOP_TIMEOUT}s; killing it", file=sys.stderr)
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return 0


def main() -> int:
    env = environment()
    prepare(env)
    processes: dict[str, subprocess.Popen] = {}
    stopping = False
    failed = False

    def on_signal(signum, frame):  # type: ignore[no-untyped-def]
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    # Each child gets its own session, so Ctrl-C reaches this script only and it stops them in order.
    for name, command in commands().items():
        processes[name] = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    try:
        if wait_for_web(processes):
            print(banner(env), flush=True)
        else:
            print("The web server did not start; stopping.", file=sys.stderr)
            stopping = failed = True
        while not stopping:
            for name, process in processes.items():
                if process.poll() is not None:
                    print(f"{name} exited with status {process.returncode}; stopping the others.", file=sys.stderr)
                    stopping = failed = True
            time.sleep(0.5)
    finally:
        print("\nStopping web, worker and beat...", flush=True)
        stop(processes)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
