"""Plain text from the HTML that some platforms return as a post's body (Mastodon `content`,
YouTube `textDisplay`): tags dropped, entities decoded, line breaks kept, and the links it holds.

The HTML comes from strangers: nothing of it is ever rendered or evaluated, only its text and the
`href` of anchors are read (the stdlib parser never fetches anything)."""

from __future__ import annotations

from html.parser import HTMLParser

_BREAKS = frozenset({"br", "p", "div", "li", "blockquote", "pre"})


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0  # depth inside <script>/<style>, whose text is not text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "a":
            a = dict(attrs)
            classes = (a.get("class") or "").split()
            # Mastodon marks the anchors of mentions and hashtags; they are not shared links.
            if a.get("href") and "mention" not in classes and "hashtag" not in classes \
                    and (a.get("rel") or "") != "tag":
                self.links.append(a["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BREAKS and tag != "br":
            self.parts.append("\n\n" if tag == "p" else "\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(markup: str | None) -> tuple[str | None, list[str]]:
    """(plain text, link targets) of an HTML fragment; (None, []) when it holds no text."""
    if not markup:
        return None, []
    if "<" not in markup and "&" not in markup:
        return markup.strip() or None, []
    p = _Text()
    p.feed(markup)
    p.close()
    text = "".join(p.parts).strip()
    return text or None, p.links
