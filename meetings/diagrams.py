"""The meetings app's state diagrams, made by the project's common helper (mappa_workflow.diagrams)."""

from __future__ import annotations

from pathlib import Path

from mappa_workflow import diagrams


def render() -> list[Path]:
    """Write docs/state-machines/meetings-*.md for every machine of this app; return the paths."""
    written = []
    for model, field in diagrams.machines():
        if model._meta.app_label == "meetings":
            path = diagrams.file_for(model, field)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(diagrams.render(model, field))
            written.append(path)
    return written
