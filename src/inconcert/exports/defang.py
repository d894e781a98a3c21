"""Defanging: URLs and domains written so that no reader, mail client or chat app turns them into
live links (`hxxps://example[.]com/path`), the convention of threat-intelligence reports."""

from __future__ import annotations

import re

_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)
_FANGED = {"http": "hxxp", "https": "hxxps", "ftp": "fxp"}


def defang(value: str) -> str:
    """A URL or domain defanged: `http(s)` becomes `hxxp(s)` and every dot of the host `[.]`.

    Text without a scheme is read as `host/path`. The path is left as it is (its dots cannot
    make a link on their own once the host is defanged).
    """
    s = (value or "").strip()
    m = _SCHEME.match(s)
    scheme = ""
    if m:
        name = m.group(1)
        scheme = _FANGED.get(name.lower(), name) + "://"
        s = s[m.end():]
    cut = min((i for i in (s.find("/"), s.find("?"), s.find("#")) if i >= 0), default=len(s))
    return scheme + s[:cut].replace(".", "[.]") + s[cut:]
