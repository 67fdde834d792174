"""The one rendering of a message's text as HTML, used by the page and carried by the API and the socket
(`html`), so that no client builds HTML from the text itself.

Everything is escaped; line breaks become <br>; addresses starting with http:// or https:// become links
that open without the page's referrer or opener and tell search engines not to follow them. Nothing else
is ever a link (no javascript:, data:, mailto:, nor a bare "www.").
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# An address runs until a space, a quote or an angle bracket; punctuation that ends a sentence stays out.
URL = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
TRAILING = ".,;:!?)]}»"
LINK_REL = "nofollow noopener noreferrer"


def message_html(text: str) -> SafeString:
    parts: list[str] = []
    position = 0
    for match in URL.finditer(text):
        url = match.group(0)
        while url and url[-1] in TRAILING and not (url[-1] == ")" and url.count("(") >= url.count(")")):
            url = url[:-1]
        if len(url) <= len(match.group(0).split("://", 1)[0]) + 3:
            continue  # "https://" alone
        parts.append(escape(text[position : match.start()]))
        shown = escape(url)
        parts.append(f'<a href="{shown}" rel="{LINK_REL}" target="_blank">{shown}</a>')
        position = match.start() + len(url)
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts).replace("\n", "<br>"))  # noqa: S308  (every part was escaped above)
