"""What a file really is, and how it may be served.

The content type is sniffed from the first bytes with ``puremagic`` (a pure-Python libmagic
database), plus a markup check of our own: anything that looks like HTML, SVG, XML or a
script is "active" content a browser could execute. The type a client declares is kept only
when the bytes do not contradict it (:func:`stored_type`). Files are served inline only when
both the stored and the sniffed types are passive (images, audio, video, plain text) and no
part of the name has an active extension (``report.HTML.``, ``cat.html.png``); everything else
is an attachment. :func:`safety_headers` go on every file response.
"""

from __future__ import annotations

import mimetypes
import re

import puremagic

HEAD_SIZE = 4096
OCTET_STREAM = "application/octet-stream"
TEXT_PLAIN = "text/plain"

ACTIVE_TYPES = frozenset({
    "text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml",
    "text/javascript", "application/javascript", "application/x-javascript", "application/ecmascript",
    "text/ecmascript", "text/jscript", "application/json+javascript", "text/xsl", "application/xslt+xml",
    "application/wasm", "application/x-shockwave-flash", "text/cache-manifest", "application/pdf",
    "text/css", "application/rss+xml", "application/atom+xml", "multipart/x-mixed-replace",
})
ACTIVE_EXTENSIONS = frozenset({
    "html", "htm", "xhtml", "xht", "shtml", "mht", "mhtml", "svg", "svgz", "xml", "xsl", "xslt",
    "js", "mjs", "cjs", "jsx", "swf", "wasm", "pdf", "css", "hta", "php", "xsd", "rss", "atom",
})
PASSIVE_TYPES = frozenset({
    "image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp", "image/x-icon",
    "image/vnd.microsoft.icon", "image/tiff", "text/plain",
})
PASSIVE_FAMILIES = ("audio/", "video/")

_MARKUP = re.compile(
    rb"<\s*(!doctype\s+html|html|head|body|script|iframe|frame|object|embed|svg|math|meta|link|style|"
    rb"img|a\s|form|base|xml|\?xml|xsl|x:)|xmlns\s*=|javascript:",
    re.IGNORECASE,
)


def base_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_active(content_type: str | None) -> bool:
    base = base_type(content_type)
    return base in ACTIVE_TYPES or base.endswith(("+xml", "+javascript")) or base.startswith("multipart/")


def is_passive(content_type: str | None) -> bool:
    base = base_type(content_type)
    return base in PASSIVE_TYPES or base.startswith(PASSIVE_FAMILIES)


def sniff(head: bytes) -> str:
    """The content type of a file whose first bytes are ``head``."""
    if not head:
        return TEXT_PLAIN
    text_like = _looks_like_text(head)
    if text_like and _MARKUP.search(head.lstrip(b"\xef\xbb\xbf")[:HEAD_SIZE]):
        found = _magic(head)
        return found if is_active(found) else "text/html"
    found = _magic(head)
    if found:
        return found
    return TEXT_PLAIN if text_like else OCTET_STREAM


def _magic(head: bytes) -> str | None:
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        return None
    for match in matches:
        if match.mime_type and match.confidence >= 0.3:
            return match.mime_type.lower()
    return None


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return head.startswith((b"\xff\xfe", b"\xfe\xff"))  # UTF-16 text has NULs
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # a character cut at the end of the sample
    return True


def stored_type(declared: str | None, detected: str) -> str:
    """The ``mimeType`` kept for a file: the declared type unless the bytes say otherwise.

    A generic sniff (plain text, unknown binary) keeps the declared type; a specific sniff
    that disagrees with it (a "PNG" that is HTML) wins."""
    declared = (declared or "").strip()
    if not declared or "/" not in base_type(declared):
        return detected
    if detected in (TEXT_PLAIN, OCTET_STREAM) and not is_active(detected):
        return declared
    return declared if base_type(declared) == base_type(detected) else detected


def guess_type(name: str) -> str | None:
    return mimetypes.guess_type(normalised_name(name))[0]


def normalised_name(name: str) -> str:
    """Lower case, without trailing dots and spaces (Windows drops them, so ``a.html.``
    opens as HTML)."""
    return name.rsplit("/", 1)[-1].rstrip(". \t").lower()


def has_active_extension(name: str) -> bool:
    """Whether any dotted part of the name is an active extension (``cat.html.png`` is)."""
    parts = normalised_name(name).split(".")[1:]
    return any(part.strip() in ACTIVE_EXTENSIONS or is_active(mimetypes.guess_type("x." + part.strip())[0])
               for part in parts)


def may_be_inline(name: str, mime_type: str, detected: str) -> bool:
    return is_passive(mime_type) and is_passive(detected) and not has_active_extension(name)


def safety_headers() -> dict[str, str]:
    return {
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; img-src 'self' data:; media-src 'self'; "
                                   "style-src 'unsafe-inline'; sandbox",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
