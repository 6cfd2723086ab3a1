"""Identifier formats shared by the services."""
from __future__ import annotations

import random
import secrets
import string
import uuid

_BASE36 = string.ascii_lowercase + string.digits


def uuid4() -> str:
    return str(uuid.uuid4())


def hex_id(length: int = 32) -> str:
    """Lower-case hex, e.g. ECS task and container-instance ids (32 chars)."""
    return secrets.token_hex((length + 1) // 2)[:length]


def upper_hex(length: int = 32) -> str:
    return hex_id(length).upper()


def digits(length: int) -> str:
    return "".join(random.choices(string.digits, k=length))


def base36(length: int) -> str:
    return "".join(random.choices(_BASE36, k=length))


def token(length: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(random.choices(alphabet, k=length))
