import pytest
from pydantic import ValidationError

from cleaners.settings import Settings


def test_defaults_keep_author_choices():
    settings = Settings()
    assert settings.normalise.uncurl_quotes is False
    assert settings.normalise.fix_character_width is False
    assert settings.ingest.text_fields[0] == "text"


def test_toml_then_overrides(tmp_path):
    config = tmp_path / "textwash.toml"
    config.write_text('[ingest]\ntext_fields = ["body"]\nmax_record_chars = 10\n[run]\nshards = 3\n')
    settings = Settings.load(config, ["ingest.max_record_chars=20", "normalise.uncurl_quotes=true",
                                      'ingest.id_fields=["guid"]', "output.compression=snappy"])
    assert settings.ingest.text_fields == ["body"]
    assert settings.ingest.max_record_chars == 20
    assert settings.normalise.uncurl_quotes is True
    assert settings.ingest.id_fields == ["guid"]
    assert settings.output.compression == "snappy"
    assert settings.run.shards == 3


@pytest.mark.parametrize("override", ["nodot=1", "ingest.max_record_chars", "ingest.nonsense=1",
                                      "ingest.max_record_chars=-5", "normalise.normalization=NFX"])
def test_bad_overrides_are_refused(override):
    with pytest.raises((ValueError, ValidationError)):
        Settings.load(None, [override])


def test_shard_count_does_not_change_the_fingerprint():
    assert Settings.load(None, ["run.shards=7"]).fingerprint_json() == Settings().fingerprint_json()
    assert Settings.load(None, ["normalise.uncurl_quotes=true"]).fingerprint_json() != Settings().fingerprint_json()
