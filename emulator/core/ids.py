"""Identifier formats shared by the services."""
from __future__ import annotations

import os
import random
import string

_BASE36 = string.ascii_lowercase + string.digits


def uuid4() -> str:
    """A random (version 4, RFC 4122 variant) UUID's text, made without a ``uuid.UUID`` object."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40
    raw[8] = raw[8] & 0x3F | 0x80
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def hex_id(length: int = 32) -> str:
    """Lower-case hex, e.g. ECS task and container-instance ids (32 chars)."""
    return os.urandom((length + 1) // 2).hex()[:length]


def upper_hex(length: int = 32) -> str:
    return hex_id(length).upper()


def digits(length: int) -> str:
    return f"{random.randrange(10 ** length):0{length}d}"


def base36(length: int) -> str:
    return "".join(random.choices(_BASE36, k=length))


def token(length: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(random.choices(alphabet, k=length))
