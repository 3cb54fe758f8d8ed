"""Page furniture of UN PDFs: running headers, footers, job numbers, bar codes, mastheads, link lists.

A line is furniture when it is whole-line one of these; nothing inside a paragraph is ever removed.
"""

from __future__ import annotations

import re

_SYMBOL = r"[A-Z]{1,10}(?:/[A-Z0-9][A-Za-z0-9.\-]*)+(?:\s*\((?:19|20)\d\d\))?"
_JOB = r"\d{2}-\d{5}(?:\s*\([A-Z]\))?"  # "18-10687", "20-04817 (E)", "18-10687 (C)"
_PAGE = r"\d{1,3}/\d{1,3}"  # "2/18"

_FURNITURE_RES = [
    re.compile(rf"^{_SYMBOL}$"),  # running header "S/RES/2423 (2018)"
    re.compile(rf"^{_JOB}(?:\s+{_PAGE})?(?:\s+\d{{6}})?$"),  # "18-10687 (C) 12/16", "21-11413 (E) 200821"
    re.compile(rf"^{_PAGE}(?:\s+{_JOB})?$"),  # "2/18", "5/14 23-25640"
    re.compile(r"^\*\d{6,}\*$"),  # bar code "*1810687*"
    re.compile(r"^\d{6}$"),  # date stamp beside the job number ("200821")
    re.compile(r"^Please recycle\W*$", re.IGNORECASE),
]
_LINK_RE = re.compile(r"^https?://(?:www\.)?undocs\.org/\S*$", re.IGNORECASE)

# The English masthead, only looked for before the resolution's own title.
_MASTHEAD_RES = [
    re.compile(r"^United Nations$"),
    re.compile(r"^(?:Security Council|General Assembly|Economic and Social Council)$"),
    re.compile(r"^Distr\.?:?\s*(?:General|Limited|Restricted)$", re.IGNORECASE),
    re.compile(r"^\d{1,2} (?:January|February|March|April|May|June|July|August|September|October"
               r"|November|December) \d{4}$"),
    re.compile(r"^Original:\s*\w+$"),
    re.compile(rf"^{_SYMBOL}\*?$"),
]


def is_furniture(line: str) -> bool:
    stripped = line.strip()
    return any(pattern.match(stripped) for pattern in _FURNITURE_RES)


def is_link(line: str) -> bool:
    return bool(_LINK_RE.match(line.strip()))


def is_masthead(line: str) -> bool:
    stripped = line.strip()
    return any(pattern.match(stripped) for pattern in _MASTHEAD_RES)
