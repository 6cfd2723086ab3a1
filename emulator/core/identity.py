"""Account and region of a request, read from its SigV4 signature."""
from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import parse_qs

DEFAULT_REGION = "us-east-1"
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")


class Identity(NamedTuple):      # made per request: a tuple is cheaper to build than a frozen dataclass
    access_key: str | None
    region: str
    signing_service: str | None


def from_headers(headers, query_string: str = "") -> Identity:
    """Read the access key, region and signing service from the credential scope.

    Looks at the ``Authorization`` header, then at a presigned ``X-Amz-Credential``
    query parameter; with neither, the region is ``us-east-1``.
    """
    auth = headers.get("Authorization") or headers.get("authorization") or ""
    match = _CREDENTIAL.search(auth)
    if match is None and "X-Amz-Credential" in query_string:
        credential = parse_qs(query_string).get("X-Amz-Credential", [""])[0]
        match = _CREDENTIAL.search("Credential=" + credential)
    if match is None:
        return Identity(None, DEFAULT_REGION, None)
    return Identity(match.group(1), match.group(2), match.group(3))
