"""Add-on ``configurationValues``: parsed as JSON or YAML, checked against the version's schema.

EKS accepts the configuration as a JSON or YAML document. YAML is read by a small parser for
the part of YAML that add-on configurations use:

* block mappings (``key: value``) and block sequences (``- item``, including ``- key: value``
  items and sequences written at their parent key's indentation), nested by indentation;
* plain, single-quoted and double-quoted scalars, typed as YAML 1.2's core schema does
  (``null``/``~``/empty, ``true``/``false``, integers, floats, otherwise strings);
* flow collections on one or more lines (``[a, b]``, ``{a: 1}``);
* literal and folded block scalars (``|``, ``|-``, ``|+``, ``>``, ``>-``, ``>+``), as used for
  the CoreDNS ``corefile``;
* comments and a leading ``---``.

Anchors, aliases, tags and multi-document streams are refused as not parseable.

Schema violations are reported the way EKS reports them, one message per violation, e.g.
``$.replicaCount: string found, integer expected`` or
``$.foo: is not defined in the schema and the schema does not allow additional properties``.
"""
from __future__ import annotations

import json
import re
from typing import Any


class ConfigurationParseError(ValueError):
    """The text is neither JSON nor YAML of the supported subset."""


def parse(text: str) -> Any:
    """The document ``text`` holds, read as JSON when it is JSON, else as YAML."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    return _YamlParser(text).document()


# -- YAML subset ----------------------------------------------------------------------------

_INT = re.compile(r"[-+]?[0-9]+")
_OCTAL = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUES = frozenset({"true", "True", "TRUE"})
_FALSES = frozenset({"false", "False", "FALSE"})
_INFINITIES = {".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"),
               "+.inf": float("inf"), "-.inf": float("-inf"), "-.Inf": float("-inf")}
_UNSUPPORTED_STARTS = ("&", "*", "!", "%", "@", "`")
_DOUBLE_QUOTE_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v",
                         "f": "\f", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\",
                         "N": "\x85", "_": "\xa0"}


def resolve_plain(text: str) -> Any:
    """A plain scalar typed as YAML 1.2's core schema types it."""
    if text in _NULLS:
        return None
    if text in _TRUES:
        return True
    if text in _FALSES:
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _OCTAL.fullmatch(text):
        return int(text[2:], 8)
    if _HEX.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    if text in _INFINITIES:
        return _INFINITIES[text]
    if text in (".nan", ".NaN", ".NAN"):
        return float("nan")
    return text


def _indentation(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _strip_comment(text: str) -> str:
    """``text`` without a trailing ``# comment`` (a ``#`` at the start or after a space, outside quotes)."""
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
            elif ch == "\\" and quote == '"':
                continue
        elif ch in "'\"" and (i == 0 or text[i - 1] in " \t[{,:"):
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i].rstrip()
    return text.rstrip()


def _mapping_colon(text: str) -> int:
    """Index of the ``:`` that ends a mapping key at the start of ``text``, or -1."""
    if not text or text[0] in "[{":
        return -1
    if text[0] in "'\"":
        end = _closing_quote(text, 0)
        if end < 0:
            return -1
        rest = text[end + 1:]
        stripped = rest.lstrip(" ")
        if stripped.startswith(":") and (len(stripped) == 1 or stripped[1] in " \t"):
            return end + 1 + (len(rest) - len(stripped))
        return -1
    for i, ch in enumerate(text):
        if ch == ":" and (i + 1 == len(text) or text[i + 1] in " \t"):
            return i
        if ch == "#" and i > 0 and text[i - 1] in " \t":
            return -1
    return -1


def _closing_quote(text: str, start: int) -> int:
    quote = text[start]
    i = start + 1
    while i < len(text):
        ch = text[i]
        if quote == "'" and ch == "'":
            if text[i + 1:i + 2] == "'":
                i += 2
                continue
            return i
        if quote == '"':
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                return i
        i += 1
    return -1


def _unquote(text: str) -> str:
    body = text[1:-1]
    if text[0] == "'":
        return body.replace("''", "'")
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        code = body[i + 1:i + 2]
        if code in _DOUBLE_QUOTE_ESCAPES:
            out.append(_DOUBLE_QUOTE_ESCAPES[code])
            i += 2
        elif code in ("x", "u", "U"):
            width = {"x": 2, "u": 4, "U": 8}[code]
            digits = body[i + 2:i + 2 + width]
            if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise ConfigurationParseError("invalid escape in a double-quoted scalar")
            out.append(chr(int(digits, 16)))
            i += 2 + width
        else:
            raise ConfigurationParseError("invalid escape in a double-quoted scalar")
    return "".join(out)


def _scalar(text: str) -> Any:
    if not text:
        return None
    if text[0] in "'\"":
        if _closing_quote(text, 0) != len(text) - 1:
            raise ConfigurationParseError("unexpected text after a quoted scalar")
        return _unquote(text)
    if text.startswith(_UNSUPPORTED_STARTS) or text.startswith(("|", ">")):
        raise ConfigurationParseError(f"unsupported YAML construct: {text[:20]}")
    if text.startswith(("- ", "? ")) or text == "-":
        raise ConfigurationParseError(f"unexpected block entry: {text[:20]}")
    return resolve_plain(text)


class _FlowParser:
    """``[a, b]`` and ``{k: v}`` collections (possibly nested) in one string."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def parse(self) -> Any:
        value = self.value()
        self.skip_spaces()
        if self.pos != len(self.text):
            raise ConfigurationParseError("unexpected text after a flow collection")
        return value

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\n":
            self.pos += 1

    def value(self) -> Any:
        self.skip_spaces()
        ch = self.text[self.pos:self.pos + 1]
        if ch == "[":
            return self.sequence()
        if ch == "{":
            return self.mapping()
        if ch in ("'", '"'):
            end = _closing_quote(self.text, self.pos)
            if end < 0:
                raise ConfigurationParseError("unterminated quoted scalar")
            token = self.text[self.pos:end + 1]
            self.pos = end + 1
            return _unquote(token)
        start = self.pos
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch in ",]}" or (ch == ":" and self.text[self.pos + 1:self.pos + 2] in (" ", "")):
                break
            self.pos += 1
        return _scalar(self.text[start:self.pos].strip())

    def expect(self, ch: str) -> None:
        self.skip_spaces()
        if self.text[self.pos:self.pos + 1] != ch:
            raise ConfigurationParseError(f"expected '{ch}' in a flow collection")
        self.pos += 1

    def sequence(self) -> list:
        self.expect("[")
        items: list = []
        self.skip_spaces()
        if self.text[self.pos:self.pos + 1] == "]":
            self.pos += 1
            return items
        while True:
            items.append(self.value())
            self.skip_spaces()
            ch = self.text[self.pos:self.pos + 1]
            self.pos += 1
            if ch == "]":
                return items
            if ch != ",":
                raise ConfigurationParseError("expected ',' or ']' in a flow sequence")
            self.skip_spaces()
            if self.text[self.pos:self.pos + 1] == "]":
                self.pos += 1
                return items

    def mapping(self) -> dict:
        self.expect("{")
        out: dict = {}
        self.skip_spaces()
        if self.text[self.pos:self.pos + 1] == "}":
            self.pos += 1
            return out
        while True:
            key = self.value()
            self.expect(":")
            self.skip_spaces()
            ch = self.text[self.pos:self.pos + 1]
            value = None if ch in (",", "}") else self.value()
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise ConfigurationParseError("a mapping key must be a scalar")
            key = _key_text(key)
            if key in out:
                raise ConfigurationParseError(f"duplicate key: {key}")
            out[key] = value
            self.skip_spaces()
            ch = self.text[self.pos:self.pos + 1]
            self.pos += 1
            if ch == "}":
                return out
            if ch != ",":
                raise ConfigurationParseError("expected ',' or '}' in a flow mapping")
            self.skip_spaces()
            if self.text[self.pos:self.pos + 1] == "}":
                self.pos += 1
                return out


def _key_text(key: Any) -> str:
    """Mapping keys become JSON object keys (strings), as in the JSON the schema sees."""
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


class _YamlParser:
    def __init__(self, text: str) -> None:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if any(line[_indentation(line):].startswith("\t") for line in lines if line.strip()):
            raise ConfigurationParseError("tabs are not allowed for indentation")
        self.lines = lines
        self.i = 0

    # the next line that holds content, skipping blank and comment-only lines
    def peek(self) -> int | None:
        while self.i < len(self.lines):
            stripped = self.lines[self.i].strip()
            if stripped and not stripped.startswith("#"):
                return self.i
            self.i += 1
        return None

    def document(self) -> Any:
        index = self.peek()
        if index is not None and self.lines[index].strip() == "---":
            self.i += 1
            index = self.peek()
        if index is None:
            return None
        value = self.block(_indentation(self.lines[index]))
        rest = self.peek()
        if rest is not None:
            if self.lines[rest].strip() in ("---", "..."):
                raise ConfigurationParseError("only one YAML document is supported")
            raise ConfigurationParseError(f"unexpected indentation at line {rest + 1}")
        return value

    def block(self, indent: int) -> Any:
        index = self.peek()
        line = self.lines[index]
        content = line[indent:]
        if content.startswith("- ") or content.rstrip() == "-":
            return self.sequence(indent)
        if _mapping_colon(_strip_comment(content)) > 0:
            return self.mapping(indent)
        return self.lone_value(indent)

    def lone_value(self, indent: int) -> Any:
        """A scalar or flow collection that is the whole block (possibly over several lines)."""
        text = _strip_comment(self.lines[self.i].strip())
        self.i += 1
        if text.startswith(("[", "{")):
            return self.flow(text)
        if text[:1] in "|>":
            return self.block_scalar(text, indent - 1)
        parts = [text]
        while (index := self.peek()) is not None and _indentation(self.lines[index]) >= indent:
            parts.append(_strip_comment(self.lines[index].strip()))
            self.i += 1
        if len(parts) > 1 and parts[0][:1] in "'\"":
            raise ConfigurationParseError("multi-line quoted scalars are not supported")
        return _scalar(" ".join(parts))

    def mapping(self, indent: int) -> dict:
        out: dict = {}
        while (index := self.peek()) is not None:
            line = self.lines[index]
            here = _indentation(line)
            if here < indent:
                break
            if here > indent:
                raise ConfigurationParseError(f"unexpected indentation at line {index + 1}")
            content = _strip_comment(line[indent:])
            if content.startswith("- ") or content == "-":
                break
            colon = _mapping_colon(content)
            if colon <= 0:
                raise ConfigurationParseError(f"expected a 'key: value' pair at line {index + 1}")
            key = _key_text(_scalar(content[:colon].strip()))
            if key in out:
                raise ConfigurationParseError(f"duplicate key: {key}")
            self.i += 1
            out[key] = self.value_after(content[colon + 1:].strip(), indent, in_mapping=True)
        return out

    def sequence(self, indent: int) -> list:
        items: list = []
        while (index := self.peek()) is not None:
            line = self.lines[index]
            here = _indentation(line)
            if here != indent:
                if here > indent:
                    raise ConfigurationParseError(f"unexpected indentation at line {index + 1}")
                break
            content = line[indent:]
            if not (content.startswith("- ") or content.rstrip() == "-"):
                break
            rest = content[1:]
            offset = len(rest) - len(rest.lstrip(" "))
            item = _strip_comment(rest.strip())
            if item and (item.startswith("- ") or item == "-" or _mapping_colon(item) > 0):
                # "- key: value" / "- - x": the item is a block starting at the text's column
                column = indent + 1 + offset
                self.lines[index] = " " * column + rest.lstrip(" ")
                items.append(self.block(column))
            else:
                self.i += 1
                items.append(self.value_after(item, indent, in_mapping=False))
        return items

    def value_after(self, text: str, indent: int, in_mapping: bool) -> Any:
        """The value that follows ``key:`` or ``-`` on a line at ``indent``."""
        if text:
            if text.startswith(("[", "{")):
                return self.flow(text)
            if text[0] in "|>":
                return self.block_scalar(text, indent)
            return self.plain_continued(text, indent)
        index = self.peek()
        if index is None:
            return None
        here = _indentation(self.lines[index])
        content = self.lines[index][here:]
        if here > indent:
            return self.block(here)
        if in_mapping and here == indent and (content.startswith("- ") or content.rstrip() == "-"):
            return self.sequence(indent)
        return None

    def plain_continued(self, text: str, indent: int) -> Any:
        """A scalar, folded with any more-indented continuation lines (plain scalars only)."""
        parts = [text]
        while (index := self.peek()) is not None and _indentation(self.lines[index]) > indent:
            if text[0] in "'\"":
                raise ConfigurationParseError("multi-line quoted scalars are not supported")
            more = _strip_comment(self.lines[index].strip())
            if _mapping_colon(more) > 0:
                raise ConfigurationParseError(f"mapping values are not allowed here (line {index + 1})")
            parts.append(more)
            self.i += 1
        return _scalar(" ".join(parts))

    def flow(self, text: str) -> Any:
        depth = _flow_depth(text)
        while depth > 0:
            index = self.peek()
            if index is None:
                raise ConfigurationParseError("unterminated flow collection")
            more = _strip_comment(self.lines[index].strip())
            self.i += 1
            text += " " + more
            depth = _flow_depth(text)
        return _FlowParser(text).parse()

    def block_scalar(self, header: str, parent_indent: int) -> str:
        match = re.fullmatch(r"([|>])([-+]?)([1-9]?)([-+]?)", header.strip())
        if not match:
            raise ConfigurationParseError(f"invalid block scalar header: {header}")
        style, chomp = match.group(1), match.group(2) or match.group(4)
        explicit = int(match.group(3)) if match.group(3) else None
        body: list[str] = []
        content_indent = parent_indent + explicit if explicit else None
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if line.strip():
                here = _indentation(line)
                if here <= parent_indent:
                    break
                if content_indent is None:
                    content_indent = here
                if here < content_indent:
                    break
                body.append(line[content_indent:])
            else:
                body.append("")
            self.i += 1
        trailing = 0
        while body and body[-1] == "":
            body.pop()
            trailing += 1
        text = "\n".join(body) if style == "|" else _fold(body)
        if not body:
            return ""
        if chomp == "-":
            return text
        if chomp == "+":
            return text + "\n" * (trailing + 1)
        return text + "\n"


def _fold(lines: list[str]) -> str:
    out = ""
    previous_blank = True
    for line in lines:
        if line == "":
            out += "\n"
            previous_blank = True
        elif line.startswith((" ", "\t")):
            out += ("\n" if not previous_blank and out else "") + line
            previous_blank = False
        else:
            out += (" " if not previous_blank and out else "") + line
            previous_blank = False
    return out


def _flow_depth(text: str) -> int:
    depth, quote, i = 0, None, 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\" and quote == '"':
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        i += 1
    return depth


# -- validation -----------------------------------------------------------------------------

_JSON_TYPES = (("null", type(None)), ("boolean", bool), ("integer", int), ("number", float),
               ("string", str), ("array", list), ("object", dict))


def json_type(value: Any) -> str:
    for name, kind in _JSON_TYPES:
        if isinstance(value, kind):
            if name == "number" and float(value).is_integer():
                return "integer"
            return name
    return "object"


def _path(parts) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _messages(error) -> list[str]:
    where = _path(error.absolute_path)
    kind, constraint, instance = error.validator, error.validator_value, error.instance
    if kind == "type":
        expected = ", ".join(constraint) if isinstance(constraint, list) else constraint
        return [f"{where}: {json_type(instance)} found, {expected} expected"]
    if kind == "additionalProperties":
        declared = set(error.schema.get("properties", {}))
        patterns = [re.compile(p) for p in error.schema.get("patternProperties", {})]
        extras = [k for k in instance if k not in declared and not any(p.search(k) for p in patterns)]
        return [f"{where}.{key}: is not defined in the schema and the schema does not allow additional properties"
                for key in extras]
    if kind == "required":
        return [f"{where}.{name}: is missing but it is required" for name in constraint if name not in instance]
    if kind == "enum":
        return [f"{where}: does not have a value in the enumeration [{', '.join(map(str, constraint))}]"]
    if kind == "pattern":
        return [f"{where}: does not match the regex pattern {constraint}"]
    if kind == "minimum":
        return [f"{where}: must have a minimum value of {constraint}"]
    if kind == "maximum":
        return [f"{where}: must have a maximum value of {constraint}"]
    if kind == "minLength":
        return [f"{where}: must be at least {constraint} characters long"]
    if kind == "maxLength":
        return [f"{where}: may only be {constraint} characters long"]
    if kind == "minItems":
        return [f"{where}: there must be a minimum of {constraint} items in the array"]
    if kind == "maxItems":
        return [f"{where}: there must be a maximum of {constraint} items in the array"]
    return [f"{where}: {error.message}"]


def violations(schema: dict, document: Any) -> list[str]:
    """Every way ``document`` breaks ``schema``, as EKS words them (empty when it conforms)."""
    from jsonschema import validators   # only add-on configuration needs it: not imported at start-up
    validator_class = validators.validator_for(schema)
    errors = sorted(validator_class(schema).iter_errors(document),
                    key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    out: list[str] = []
    for error in errors:
        for message in _messages(error):
            if message not in out:
                out.append(message)
    return out
