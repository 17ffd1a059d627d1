import codecs

import pytest

from cleaners.decoding import DecodeFailure, decode_bytes, looks_binary


def test_utf8_is_taken_first():
    assert decode_bytes("café — “ok”".encode()) == ("café — “ok”", "utf-8")


def test_cp1252_file_with_smart_quotes_is_detected():
    data = "“It’s here” — café".encode("cp1252")
    assert decode_bytes(data) == ("“It’s here” — café", "cp1252")


def test_latin1_file_without_c1_bytes_is_reported_as_latin1():
    data = "Ça coûte 5 €?".replace("€", "¤").encode("latin-1")
    text, encoding = decode_bytes(data)
    assert encoding == "latin-1"
    assert text == "Ça coûte 5 ¤?"


def test_bytes_undefined_in_cp1252_and_invalid_utf8_are_undecodable():
    with pytest.raises(DecodeFailure) as failure:
        decode_bytes(b"caf\xe9 \x81\x8d")
    assert failure.value.reason == "undecodable"
    assert "0x81" in failure.value.detail


def test_latin1_alone_accepts_bytes_that_are_letters():
    assert decode_bytes(b"na\xefve", encodings=["latin-1"]) == ("naïve", "latin-1")


@pytest.mark.parametrize(
    ("bom", "codec", "name"),
    [(codecs.BOM_UTF8, "utf-8", "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
     (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16")],
)
def test_byte_order_marks_decide(bom, codec, name):
    assert decode_bytes(bom + "Hello, wörld".encode(codec)) == ("Hello, wörld", name)


def test_nul_bytes_mean_binary():
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(DecodeFailure) as failure:
        decode_bytes(b"GIF89a\x00\x01\x02")
    assert failure.value.reason == "binary"


def test_text_with_a_few_tabs_and_form_feeds_is_not_binary():
    assert not looks_binary(b"a\tb\x0cc\n" * 100)
