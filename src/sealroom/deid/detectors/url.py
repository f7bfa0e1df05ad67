"""URLs, and the parts of a URL that identify a person (user names, profile paths, tokens)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sealroom.deid.base import DETECTORS, DetectionContext, Finding
from sealroom.deid.detectors._util import BaseDetector

_URL_CHARS = r"[^\s<>\"'`\[\]{}|\\^]"
_SCHEME = re.compile(r"(?i)\b(?:https?|ftp|sftp|wss?)://" + _URL_CHARS + "{1,2048}")
_WWW = re.compile(r"(?i)(?<![\w.@/-])www\." + _URL_CHARS + "{1,2048}")
# Bare host names people write without a scheme ("github.com/jdoe"); limited to common TLDs so that
# file names and code attributes ("setup.py", "os.path") are not taken for hosts.
_TLDS = (
    "com|org|net|io|co|dev|app|me|edu|gov|info|biz|ai|tv|us|uk|de|fr|es|it|nl|ca|au|in|eu|ch|at|be|ie|nz|se|no|"
    "dk|fi|pl|pt|br|mx|jp|cn|ru|xyz|site|online|store|blog|page|ly|gg|so|to"
)
_BARE = re.compile(
    r"(?i)(?<![\w@./:-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,5}(?:" + _TLDS + r")(?![\w-])"
    r"(?:/" + _URL_CHARS + "{0,2048})?"
)
_TRAIL = ".,;:!?'\")]*"
_PROFILE_PREFIXES = ("u", "user", "users", "profile", "profiles", "in", "people", "member", "members", "author", "~")
_PROFILE_HOSTS = (
    "github.com", "gitlab.com", "twitter.com", "x.com", "facebook.com", "instagram.com", "linkedin.com",
    "tiktok.com", "reddit.com", "medium.com", "youtube.com", "twitch.tv", "bitbucket.org", "t.me",
)  # fmt: skip
_SECRET_KEYS = re.compile(
    r"(?i)^(?:token|access_token|id_token|auth|key|api_key|apikey|sig|signature|session|sid|code|password|pwd|"
    r"secret|email|user|username|uid|userid|user_id|login|phone|name)$"
)


def _bare_host_ok(url: str) -> bool:
    """A host written without a scheme has a lower-case TLD and no code-like labels
    ("django.contrib.sites.models.Site" is a Python path, not a host)."""
    host = url.split("/", 1)[0]
    tld = host.rsplit(".", 1)[-1]
    return tld.islower() and "_" not in host and host.count(".") <= 4


def _trim(url: str) -> str:
    end = len(url)
    while end > 0 and url[end - 1] in _TRAIL:
        # Keep a closing parenthesis that closes one opened inside the URL (Wikipedia links).
        if url[end - 1] == ")" and url[:end].count("(") >= url[:end].count(")"):
            break
        end -= 1
    return url[:end]


def url_identifying_parts(url: str) -> list[tuple[int, int, str]]:
    """Offsets (into ``url``) of the parts that identify someone: credentials, profile paths, tokens.

    Lets an operator keep a URL's host readable while replacing only what points at a person.
    """
    parts: list[tuple[int, int, str]] = []
    has_scheme = "://" in url
    try:
        split = urlsplit(url if has_scheme else "http://" + url)
    except ValueError:
        return parts
    shift = 0 if has_scheme else -len("http://")
    full = url if has_scheme else "http://" + url
    if split.username:
        start = full.index("//") + 2
        end = full.index("@", start)
        parts.append((start + shift, end + shift, "userinfo"))
    host = (split.hostname or "").lower().removeprefix("www.")
    path_start = full.find(split.path, full.index("//") + 2) if split.path else -1
    if path_start >= 0:
        segments = split.path.split("/")
        pos = path_start
        for i, seg in enumerate(segments):
            prev = segments[i - 1].lower() if i > 0 else ""
            first = i == 1
            if seg and (
                seg.startswith("@")
                or seg.startswith("~")
                or prev in _PROFILE_PREFIXES
                or (first and host in _PROFILE_HOSTS and seg.lower() not in _PROFILE_PREFIXES)
            ):
                parts.append((pos + shift, pos + len(seg) + shift, "profile"))
            pos += len(seg) + 1
    if split.query:
        qstart = full.index("?") + 1
        pos = qstart
        for pair in split.query.split("&"):
            key, _, value = pair.partition("=")
            if value and _SECRET_KEYS.match(key):
                vstart = pos + len(key) + 1
                parts.append((vstart + shift, vstart + len(value) + shift, "query"))
            pos += len(pair) + 1
    return parts


@DETECTORS.register("url.v1")
class UrlDetector(BaseDetector):
    name = "url.v1"
    labels = ("URL",)

    def detect(self, text: str, context: DetectionContext | None = None) -> list[Finding]:
        if "." not in text:
            return []
        out: list[Finding] = []
        taken: list[tuple[int, int]] = []
        for regex, score in ((_SCHEME, 0.95), (_WWW, 0.9), (_BARE, 0.75)):
            for m in regex.finditer(text):
                url = _trim(m.group())
                start, end = m.start(), m.start() + len(url)
                if end - start < 4 or any(s < end and start < e for s, e in taken):
                    continue
                if regex is _BARE and not _bare_host_ok(url):
                    continue
                taken.append((start, end))
                kinds = sorted({k for _, _, k in url_identifying_parts(url)})
                why = "URL" + (f" with identifying parts: {', '.join(kinds)}" if kinds else "")
                s = score + (0.1 if regex is _BARE and "/" in url else 0.0)
                out.append(self.finding(start, end, "URL", s, why))
        return out
