"""Copy GOV.UK Frontend's built files from node_modules into static/govuk/ so whitenoise serves them.

Run by `make npm` after `npm ci`. static/govuk/ is generated (gitignored): never edit it by hand.

GOV.UK Frontend's compiled CSS points at fonts and images with absolute URLs (``/assets/...``),
which would miss our ``/static/`` prefix. The copy rewrites them to relative URLs, which the
manifest static storage then turns into hashed, cacheable names.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
TARGET = ROOT / "static" / "govuk"
FILES = (
    "govuk-frontend.min.css",
    "govuk-frontend.min.css.map",
    "govuk-frontend.min.js",
    "govuk-frontend.min.js.map",
)


def main() -> int:
    if not SOURCE.is_dir():
        print(f"{SOURCE.relative_to(ROOT)} is missing: run `npm ci` first", file=sys.stderr)
        return 1
    if TARGET.exists():
        shutil.rmtree(TARGET)
    TARGET.mkdir(parents=True)
    for name in FILES:
        shutil.copy2(SOURCE / name, TARGET / name)
    css = TARGET / "govuk-frontend.min.css"
    css.write_text(css.read_text(encoding="utf-8").replace("url(/assets/", "url(assets/"), encoding="utf-8")
    shutil.copytree(SOURCE / "assets", TARGET / "assets")
    count = sum(1 for path in TARGET.rglob("*") if path.is_file())
    print(f"Copied {count} GOV.UK Frontend files to {TARGET.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
