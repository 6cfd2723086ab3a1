"""The generated service descriptions and input schemas in schemas/."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def schemas_dir() -> Path:
    """schemas/ inside the package: copied there when installed, a link to the top-level
    schemas/ in a source checkout."""
    candidate = _PACKAGE / "schemas"
    if not (candidate / "ecs" / "_service.json").is_file():
        raise FileNotFoundError("schemas/ not found: reinstall the package or run tools/generate_schemas.py")
    return candidate


@lru_cache(maxsize=None)
def service_description(service: str) -> dict:
    return json.loads((schemas_dir() / service / "_service.json").read_text())


def input_schema(service: str, operation: str) -> dict:
    return json.loads((schemas_dir() / service / f"{operation}.json").read_text())
