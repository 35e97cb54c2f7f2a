"""Mermaid state diagrams of every django-fsm machine, written to docs/state-machines/.

``python manage.py state_diagrams`` rewrites them; a test fails when a file is out of date,
so the documents always show the transitions the code allows.
"""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db.models import Model
from django_fsm import FSMFieldMixin

DOCS_DIR = Path(settings.BASE_DIR) / "docs" / "state-machines"


def _state_id(value: object) -> str:
    return str(value).replace("-", "_").replace(" ", "_") or "none"


def machines() -> list[tuple[type[Model], FSMFieldMixin]]:
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in {
            "mappa_workflow",
            "referrals",
            "meetings",
            "notifications",
            "reporting",
            "oversight",
            "transfers",
            "case_reviews",
        }:
            continue
        for field in model._meta.fields:
            if isinstance(field, FSMFieldMixin):
                found.append((model, field))
    return sorted(found, key=lambda mf: (mf[0]._meta.label, mf[1].name))


def render(model: type[Model], field: FSMFieldMixin) -> str:
    labels = dict(field.choices or [])
    lines = [
        f"# {str(model._meta.verbose_name).capitalize()}: `{field.name}`",
        "",
        f"Generated from `{model._meta.label}.{field.name}` by `python manage.py state_diagrams`; do not edit by hand.",
        "",
        "```mermaid",
        "stateDiagram-v2",
    ]
    for value, label in labels.items():
        lines.append(f"    {_state_id(value)}: {label}")
    default = field.get_default()
    if default not in (None, ""):
        lines.append(f"    [*] --> {_state_id(default)}")
    edges = set()
    for transition in field.get_all_transitions(model):
        if transition.source in ("*", "+") or transition.target is None:
            sources = list(labels) if transition.source in ("*", "+") else [transition.source]
        else:
            sources = [transition.source]
        for source in sources:
            if transition.target is None:
                continue
            edges.add((_state_id(source), _state_id(transition.target), transition.name))
    for source, target, name in sorted(edges):
        lines.append(f"    {source} --> {target}: {name}")
    lines += ["```", ""]
    return "\n".join(lines)


def file_for(model: type[Model], field: FSMFieldMixin) -> Path:
    return DOCS_DIR / f"{model._meta.app_label}-{model._meta.model_name}-{field.name}.md"


def write_all() -> list[Path]:
    DOCS_DIR.mkdir(parents=True, exist_ok=True)
    written = []
    for model, field in machines():
        path = file_for(model, field)
        path.write_text(render(model, field))
        written.append(path)
    return written


def out_of_date() -> list[Path]:
    return [
        file_for(model, field)
        for model, field in machines()
        if not file_for(model, field).exists() or file_for(model, field).read_text() != render(model, field)
    ]
