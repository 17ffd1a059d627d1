"""Bytes to text, or a clear reason why not.

Scraped files come in UTF-8, in Windows-1252 (cp1252) from old Windows tools, and now and then
in ISO-8859-1 (latin-1). We try, in order:

1. a byte-order mark (UTF-8, UTF-16 LE/BE), which is decisive;
2. strict UTF-8 (it almost never decodes text that is not UTF-8);
3. cp1252: when it decodes and the file has bytes 0x80-0x9F it is reported as ``cp1252``;
   when it has none, cp1252 and latin-1 give the same characters and the file is reported as
   ``latin-1``;
4. latin-1 proper, only if the result has no C1 control characters (U+0080-U+009F): those are
   what latin-1 makes of bytes that no text encoding we support would produce, so the file is
   refused as ``undecodable`` instead of being read as garbage.

Files with NUL bytes or many control characters are ``binary``.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence

BINARY_PROBE_BYTES = 8192
_C0_CONTROLS = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_C1_CONTROLS = re.compile(r"[\x80-\x9f]")
_BOMS = (  # UTF-32 first: its little-endian mark begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)


class DecodeFailure(ValueError):
    """Raised when bytes cannot be read as text. ``reason`` is a short code for ``rejects``."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def looks_binary(data: bytes) -> bool:
    """True for data whose first 8 KiB hold a NUL byte or more than 1% C0 control bytes."""
    probe = data[:BINARY_PROBE_BYTES]
    if b"\x00" in probe:
        return True
    return len(_C0_CONTROLS.findall(probe)) > max(1, len(probe) // 100)


def decode_bytes(data: bytes, encodings: Sequence[str] = ("utf-8", "cp1252", "latin-1")) -> tuple[str, str]:
    """Decode ``data``; return ``(text, encoding_used)`` or raise :class:`DecodeFailure`."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec.replace("-sig", "")), name
            except UnicodeDecodeError as error:
                raise DecodeFailure("undecodable", f"has a {name} byte-order mark but {error}") from None
    if looks_binary(data):
        raise DecodeFailure("binary", "NUL or control bytes in the first 8 KiB: not a text file")

    errors: list[str] = []
    for encoding in encodings:
        if encoding == "utf-8":
            try:
                return data.decode("utf-8"), "utf-8"
            except UnicodeDecodeError as error:
                errors.append(f"utf-8: {error.reason} at byte {error.start}")
        elif encoding == "cp1252":
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as error:
                errors.append(f"cp1252: byte 0x{data[error.start]:02x} at {error.start} is undefined")
                continue
            has_c1_bytes = any(0x80 <= byte <= 0x9F for byte in data)
            return text, "cp1252" if has_c1_bytes else "latin-1"
        elif encoding == "latin-1":
            text = data.decode("latin-1")
            match = _C1_CONTROLS.search(text)
            if match is None:
                return text, "latin-1"
            errors.append(f"latin-1: C1 control U+{ord(match.group()):04X} at {match.start()}")
        else:  # pragma: no cover - settings validate the names
            raise ValueError(f"unsupported encoding {encoding!r}")
    raise DecodeFailure("undecodable", "; ".join(errors) or "no encoding configured")
