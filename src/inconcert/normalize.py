"""Normalisation of the things accounts share: text, hashtags, URLs, domains, handles.

One definition, used by the readers (to fill `post_entities.normalized`) and by the traces, so a
URL or hashtag means the same thing at every stage.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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


# URLs `norm_url` takes apart trivially: http(s), a dotted host of ASCII letters, digits and
# hyphens (no user, port or IPv6 brackets), and a path without query or fragment; for these it
# gives the host lower-cased without `www.`, then the path without trailing slashes.
_PLAIN_URL = r"^https?://(?P<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)(?P<path>/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?$"


def norm_urls(urls: pa.Array | pa.ChunkedArray) -> pa.Array:
    """`norm_url` of every cell of a string column (null where it gives None), computed by
    Arrow for plain URLs; every other distinct cell goes through `norm_url` itself, so the
    result is exactly its."""
    col = urls.combine_chunks() if isinstance(urls, pa.ChunkedArray) else urls
    parts = pc.extract_regex(col, _PLAIN_URL)
    plain = pc.fill_null(pc.is_valid(parts), False)
    host = pc.replace_substring_regex(pc.utf8_lower(pc.struct_field(parts, [0])), "^www\\.", "",
                                      max_replacements=1)
    path = pc.utf8_rtrim(pc.fill_null(pc.struct_field(parts, [1]), ""), characters="/")
    out = pc.if_else(plain, pc.binary_join_element_wise(host, path, ""),
                     pa.scalar(None, pa.string()))
    other = pc.invert(plain)
    rest = pc.filter(col, other)
    if not len(rest):
        return out
    enc = pc.dictionary_encode(rest)
    done = pa.array([None if u is None else norm_url(u) for u in enc.dictionary.to_pylist()],
                    pa.string())
    return pc.replace_with_mask(out, other, done.take(enc.indices))


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


# `norm_text` in RE2 (Arrow): Python's `\s` and `\w` spelled out, since RE2's are ASCII-only, and
# the mention look-behind (which RE2 lacks) as a captured preceding character put back.
_WS = ("\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}"
       "\\x{202f}\\x{205f}\\x{3000}")
_W = "\\p{L}\\p{N}_"
_RE2_RT_PREFIX = f"^[{_WS}]*(?i:RT)[{_WS}]+@[{_W}.]+:?[{_WS}]*"
_RE2_URL = f"(?i:https?://[^{_WS}]+|www\\.[^{_WS}]+)"
_RE2_MENTION = f"(^|[^{_W}@])@[{_W}.]+"
_RE2_SPACE = f"[{_WS}]+"


# Character -> whether Arrow treats it exactly as Python does (filled as texts show them).
_AGREES: dict[str, bool] = {}


def _disagreeing(chars: set[str]) -> list[str]:
    """The characters on which Arrow (utf8proc, RE2) and Python differ in `norm_text`: NFKC
    form, lower case against case folding (ß, ς), word and space classes. The libraries'
    Unicode versions differ, so this is checked, not assumed."""
    new = sorted(c for c in chars if c not in _AGREES and ord(c) >= 0x80)
    if new:
        nf = [unicodedata.normalize("NFKC", c) for c in new]
        same_nf = pc.equal(pc.utf8_normalize(pa.array(new), "NFKC"), pa.array(nf))
        same_case = pc.equal(pc.utf8_lower(pa.array(nf)), pa.array([x.casefold() for x in nf]))
        flat = sorted({ch for x in nf for ch in x})
        word = dict(zip(flat, pc.match_substring_regex(pa.array(flat), f"^[{_W}]$")
                        .to_pylist(), strict=True))
        space = dict(zip(flat, pc.match_substring_regex(pa.array(flat), f"^[{_WS}]$")
                         .to_pylist(), strict=True))
        classes = {ch: word[ch] == bool(re.fullmatch(r"\w", ch)) and space[ch] == ch.isspace()
                   for ch in flat}
        for c, x, a_, b_ in zip(new, nf, same_nf.to_pylist(), same_case.to_pylist(),
                                strict=True):
            _AGREES[c] = bool(a_ and b_) and all(classes[ch] for ch in x)
    return sorted(c for c in chars if ord(c) >= 0x80 and not _AGREES[c])


def _string_column(texts: pa.Array | pa.ChunkedArray) -> pa.StringArray:
    """One string array, null as ''."""
    col = pc.fill_null(texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts,
                       "")
    return col if isinstance(col, pa.StringArray) else col.cast(pa.string())


def _risky(col: pa.StringArray) -> pa.Array | None:
    """Which texts hold a character on which Arrow and Python disagree (None: no text does)."""
    data = col.buffers()[2]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    # Only texts beyond ASCII can hold a character the libraries disagree on.
    if not (raw >= 0x80).any():
        return None
    risky = _disagreeing(set(data.to_pybytes().decode("utf-8")))
    if not risky:
        return None
    cls = "".join(f"\\x{{{ord(c):x}}}" for c in risky)
    return pc.match_substring_regex(col, f"[{cls}]")


def norm_texts(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """`norm_text` of every text of a string column (null as ''), computed by Arrow.

    Exactly `norm_text`'s result: a text holding a character on which Arrow's Unicode tables
    disagree with Python's, or a mention right after a `.` that ended another mention (where
    Python's look-behind and the RE2 rewrite differ), goes through `norm_text` itself."""
    col = _string_column(texts)
    t = pc.utf8_normalize(col, "NFKC")
    t = pc.replace_substring_regex(t, _RE2_RT_PREFIX, "", max_replacements=1)
    t = pc.replace_substring_regex(t, _RE2_URL, " ")
    fallback = pc.match_substring(t, ".@")
    t = pc.replace_substring_regex(t, _RE2_MENTION, "\\1 ")
    t = pc.utf8_lower(pc.utf8_trim(pc.replace_substring_regex(t, _RE2_SPACE, " "), " "))
    risky = _risky(col)
    if risky is not None:
        fallback = pc.or_(fallback, risky)
    idx = pc.indices_nonzero(fallback)
    if len(idx):
        exact = pa.array([norm_text(v) for v in col.take(idx).to_pylist()], pa.string())
        t = pc.replace_with_mask(t, fallback, exact)
    return t


_RE2_RT_HANDLE = f"^[{_WS}]*(?i:RT)[{_WS}]+@(?P<handle>[{_W}.]+)[{_WS}]*:"
# The same on ASCII text, where Python's `\s` and `\w` are these classes: RE2 runs it about
# eight times faster than the one with Unicode classes.
_ASCII_WS = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f "
_RE2_RT_HANDLE_ASCII = (f"^[{_ASCII_WS}]*(?i:RT)[{_ASCII_WS}]+@(?P<handle>[A-Za-z0-9_.]+)"
                        f"[{_ASCII_WS}]*:")


def _extract(col: pa.Array, pattern: str) -> pa.Array:
    found = pc.extract_regex(col, pattern)
    return pc.if_else(pc.is_valid(found), pc.struct_field(found, [0]),
                      pa.scalar(None, pa.string()))


def rt_handles(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """`rt_handle` of every text of a string column (null where there is none), computed by
    Arrow; a text holding a character on which Arrow's Unicode tables disagree with Python's
    goes through `rt_handle` itself, so the result is exactly its."""
    col = _string_column(texts)
    handles = _extract(col, _RE2_RT_HANDLE_ASCII)
    wide = pc.invert(pc.string_is_ascii(col))
    if pc.any(wide).as_py():
        handles = pc.replace_with_mask(handles, wide,
                                       _extract(pc.filter(col, wide), _RE2_RT_HANDLE))
    risky = _risky(col)
    if risky is None or not pc.any(risky).as_py():
        return handles
    exact = pa.array([rt_handle(v) for v in pc.filter(col, risky).to_pylist()], pa.string())
    return pc.replace_with_mask(handles, risky, exact)


def rt_handle(text: str | None) -> str | None:
    """The handle in a retweet's `RT @handle:` prefix, if any."""
    if not text:
        return None
    m = RT_HANDLE.match(text)
    return m.group(1) if m else None
