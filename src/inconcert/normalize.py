"""Normalisation of the things accounts share: text, hashtags, URLs, domains, handles.

One definition, used by the readers (to fill `post_entities.normalized`) and by the traces, so a
URL or hashtag means the same thing at every stage.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|igshid$|mc_cid$|mc_eid$|ref_src$|s$|t$|si$)")
_RT_PREFIX = re.compile(r"^\s*RT\s+@[\w.]+:?\s*", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@[\w.]+", re.UNICODE)
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
RT_HANDLE = re.compile(r"^\s*RT\s+@([\w.]+)\s*:", re.IGNORECASE)


def norm_hashtag(tag: str) -> str:
    """Case-folded hashtag without the leading `#` (NFKC, so full-width forms match)."""
    return unicodedata.normalize("NFKC", tag).lstrip("#＃").casefold()


def norm_handle(handle: str) -> str:
    """Case-folded handle without the leading `@`."""
    return handle.strip().lstrip("@").casefold()


def norm_url(url: str) -> str | None:
    """Canonical form of a URL for co-link matching, or None when the cell holds no URL.

    Lower-cases scheme and host, drops `www.`, default ports, fragments, tracking parameters
    (utm_*, fbclid, ...) and a trailing slash, and sorts the remaining query parameters. An empty
    or whitespace cell is never a URL (the peer tool's defect links every link-less post).
    """
    u = url.strip()
    if not u or u in ("''", '""', "[]", "None", "null"):
        return None
    if "://" not in u:
        u = "http://" + u
    try:
        parts = urlsplit(u)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if not host or "." not in host:
        return None
    if host.startswith("www."):
        host = host[4:]
    port = parts.port if _safe_port(parts) else None
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not _TRACKING.match(k.lower())))
    path = parts.path.rstrip("/")
    return urlunsplit(("https", netloc, path, query, ""))[len("https://"):]


def _safe_port(parts) -> bool:  # noqa: ANN001 - urllib's SplitResult
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return False
    return True


def url_domain(url: str) -> str | None:
    """Registrable-ish domain of a URL (host without `www.`), or None when there is no URL."""
    n = norm_url(url)
    if n is None:
        return None
    return n.split("/", 1)[0].split(":", 1)[0]


def norm_text(text: str) -> str:
    """Text for exact co-post matching: no `RT @x:` prefix, @mentions or URLs; folded case/space."""
    t = unicodedata.normalize("NFKC", text or "")
    t = _RT_PREFIX.sub("", t)
    t = _URL.sub(" ", t)
    t = _MENTION.sub(" ", t)
    return _SPACE.sub(" ", t).strip().casefold()


def rt_handle(text: str | None) -> str | None:
    """The handle in a retweet's `RT @handle:` prefix, if any."""
    if not text:
        return None
    m = RT_HANDLE.match(text)
    return m.group(1) if m else None
