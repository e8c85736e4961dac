"""Lexicons as data (issue 11 item 4): checked when loaded, given to the spaCy component, hashed into the model."""

from __future__ import annotations

import io
import json
import shutil
import warnings
import zipfile

import pytest
import spacy
from cli_assertions import assert_one_line_error
from click.testing import CliRunner

import roleclass.patterns as patterns
from roleclass import model_format
from roleclass.cli import cli
from roleclass.duties import StatementSplitter, pipeline
from roleclass.errors import EXIT_MODEL, EXIT_OK, ModelVersionWarning
from roleclass.lexicon import LEXICON_FILES, LexiconError, lexicon_dir, lexicons, load_lexicons
from roleclass.model_io import LEXICON_MISMATCH_ENV, checksum_path, default_model_path, load_model, sha256_of


@pytest.fixture
def lexicon_copy(tmp_path):
    folder = tmp_path / "lexicons"
    shutil.copytree(lexicon_dir(), folder)
    return folder


def _edit(folder, name, old, new):
    path = folder / f"{name}.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_package_lexicons_load_and_keep_their_python_names():
    loaded = lexicons()
    assert list(loaded.sections["headings"]) == ["duties", "requirements", "benefits", "company", "eeo", "apply"]
    assert loaded.duty_cues == patterns.DUTY_CUES and "quota" in patterns.DUTY_CUES
    assert patterns.SECTION_WEIGHTS["duties"] == 1.0 and patterns.SECTION_WEIGHTS["benefits"] == 0.0
    assert "outbound" in patterns.ACTIVITY_MODIFIERS and isinstance(patterns.ACTIVITY_MODIFIERS, set)
    assert patterns.ACTIVITY_NOUNS["cold calls"] == "sales"
    assert r"\bsales\b" in patterns.TITLE_SALES
    with pytest.raises(AttributeError):
        patterns.NO_SUCH_LEXICON  # noqa: B018


@pytest.mark.parametrize(("name", "old", "new", "words"), [
    ("sections", "'stellenbeschreibung',", "'stellen(beschreibung',", ["sections.toml", "headings.duties[16]", "not a valid regex"]),
    ("sections", "apply = 0.05", "apply = 'high'", ["sections.toml", "weights.apply", "number"]),
    ("sections", "eeo = 0.0\n", "", ["sections.toml", "headings.eeo", "no weight"]),
    ("duty_cues", "[cues]", "[cue]", ["duty_cues.toml", "cue", "unknown key"]),
    ("activities", '"cold calls" = \'sales\'', '"cold calls" = \'selling\'', ["activities.toml", "nouns.cold calls", "sales, marketing"]),
    ("activities", "[periods]", "[periodz]", ["activities.toml", "periodz", "unknown key"]),
    ("titles", "joiner = ", "joiners = ", ["titles.toml", "joiners", "unknown key"]),
    ("titles", "sales = [\n", "sales = [\n    42,\n", ["titles.toml", "sales[0]", "regex string"]),
])
def test_a_bad_lexicon_names_its_file_and_key(lexicon_copy, name, old, new, words):
    _edit(lexicon_copy, name, old, new)
    with pytest.raises(LexiconError) as caught:
        load_lexicons(lexicon_copy)
    message = str(caught.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_a_file_that_is_not_toml_or_missing_is_a_lexicon_error(lexicon_copy):
    (lexicon_copy / "titles.toml").write_text("sales = [\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"lexicon titles.toml: not valid TOML"):
        load_lexicons(lexicon_copy)
    (lexicon_copy / "titles.toml").unlink()
    with pytest.raises(LexiconError, match=r"lexicon titles.toml: cannot read"):
        load_lexicons(lexicon_copy)


def test_the_hash_follows_values_not_comments_or_layout(lexicon_copy):
    base = load_lexicons(lexicon_copy).sha256
    assert base == lexicons().sha256
    _edit(lexicon_copy, "duty_cues", "[cues]", "# a new comment\n\n[cues]")
    assert load_lexicons(lexicon_copy).sha256 == base
    _edit(lexicon_copy, "duty_cues", r"'\bquotas?\b',", r"'\bquotas?\b', '\bkontingent\b',")
    assert load_lexicons(lexicon_copy).sha256 != base
    assert set(LEXICON_FILES) == {p.stem for p in lexicon_dir().glob("*.toml")}


def test_the_component_takes_its_lexicons_as_factory_config():
    text = "Deine Superkräfte:\n- Du führst jede Woche viele Verkaufsgespräche mit Kunden"
    assert pipeline("de").config["components"]["roleclass_statements"]["sections"] == lexicons().sections

    def sections_of(config):
        nlp = spacy.blank("de")
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("roleclass_statements", config=config)
        doc = nlp(text)
        return [s._.section for s in doc.spans["statements"]]

    assert sections_of({}) == ["body"]
    sections = json.loads(json.dumps(lexicons().sections))
    sections["headings"]["requirements"].append("deine superkräfte")
    assert sections_of({"sections": sections}) == ["requirements"]


def test_a_bad_component_config_is_named_as_such():
    with pytest.raises(LexiconError, match=r"config of roleclass_statements: weights\.body"):
        StatementSplitter(sections={**lexicons().sections, "weights": {"duties": 1.0}})


def _model_with_lexicon_hash(tmp_path, digest):
    data = default_model_path().read_bytes()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == model_format.HEADER:
                header = json.loads(content)
                header["lexicons"] = digest
                content = json.dumps(header).encode()
            target.writestr(info, content)
    path = tmp_path / "other-lexicons.zip"
    path.write_bytes(out.getvalue())
    checksum_path(path).write_text(f"{sha256_of(path)}  {path.name}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("digest", ["0" * 64, None])
def test_a_model_trained_with_other_lexicons_is_refused(tmp_path, monkeypatch, digest):
    monkeypatch.delenv(LEXICON_MISMATCH_ENV, raising=False)
    path = _model_with_lexicon_hash(tmp_path, digest)
    result = CliRunner().invoke(cli, ["score", "--text", "Make cold calls.", "--model", str(path)])
    assert_one_line_error(result, EXIT_MODEL, "lexicons", "retrain it with `roleclass train`", LEXICON_MISMATCH_ENV)
    monkeypatch.setenv(LEXICON_MISMATCH_ENV, "warn")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_model(path)
    assert [w.category for w in caught] == [ModelVersionWarning]
    with pytest.warns(ModelVersionWarning, match="lexicons"):
        assert CliRunner().invoke(cli, ["score", "--text", "Make cold calls.", "--model", str(path)]).exit_code == EXIT_OK


def test_the_shipped_model_records_the_package_lexicons():
    header = json.loads(zipfile.ZipFile(default_model_path()).read(model_format.HEADER))
    assert header["lexicons"] == lexicons().sha256
