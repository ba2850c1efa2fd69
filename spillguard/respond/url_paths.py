"""One leaked file, many spellings of its address.

A request for `/Files/FY23%20Detained.xlsx?dl=1` on a CDN host fetched the same bytes as
`https://www.agency.example/files/fy23 detained.xlsx`. Both sides are reduced to the same key:
no scheme or host, no query or fragment, percent-decoded once, lower case, single slashes.
The SQL twin of `normalize_path` is `NORMALIZE_SQL` and the two must agree.
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import unquote

_SCHEME_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/]*")
_SLASHES = re.compile(r"/+")


def normalize_path(url: str) -> str:
    """The key a request target or a published URL is matched on."""
    path = _SCHEME_HOST.sub("", url.strip())
    path = path.split("?", 1)[0].split("#", 1)[0]
    # undecodable escapes stay as written, like the SQL side's fallback
    with contextlib.suppress(UnicodeDecodeError):
        path = unquote(path, errors="strict")
    path = _SLASHES.sub("/", path.lower())
    return path if path.startswith("/") else "/" + path


def basename(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


# DuckDB macro with the same steps as normalize_path; `t` is the raw request target.
NORMALIZE_SQL = r"""
CREATE OR REPLACE TEMP MACRO sg_norm(t) AS (
    WITH s AS (SELECT split_part(split_part(
        regexp_replace(trim(t), '^[A-Za-z][A-Za-z0-9+.-]*://[^/]*', ''), '?', 1), '#', 1) AS p)
    SELECT CASE WHEN n LIKE '/%' THEN n ELSE '/' || n END
    FROM (SELECT regexp_replace(lower(coalesce(try(url_decode(p)), p)), '/+', '/', 'g') AS n
          FROM s)
)
"""
