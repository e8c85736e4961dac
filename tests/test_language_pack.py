"""The language model roleclass ships is py3langid's, restricted to our candidates (issue 12).

``language_pack`` keeps only the columns of py3langid's model that ``CANDIDATES`` use, so a
cold start does not unpack py3langid's whole LZMA model, and counts its byte n-grams from
the automaton's trie nodes instead of walking its 40 MB transition table. These tests hold
it to three promises: the same feature counts as py3langid's automaton walk, in the same
order; the identifier says exactly what py3langid's own restricted identifier says (codes
and every probability); and the shipped file is what ``python -m roleclass.language_pack``
builds from the installed py3langid. They need py3langid's model file and skip without it.
"""

from __future__ import annotations

from operator import itemgetter

import numpy as np
import pytest
from py3langid.langid import visit_counts

from roleclass import language, language_pack

TEXTS = [
    "We are looking for an Account Executive to own the full sales cycle, prospect new accounts, "
    "run product demos and close deals with mid-market buyers in the Midwest territory.",
    "Wir suchen einen Vertriebsleiter (m/w/d) für unser Team in München. Sie betreuen Bestandskunden, "
    "gewinnen Neukunden und verantworten den Umsatz Ihrer Region.",
    "Nous recherchons un responsable marketing pour piloter nos campagnes digitales, gérer le budget "
    "média et suivre les indicateurs de performance.",
    "Buscamos un director comercial con experiencia en ventas B2B y gestión de equipos.",
    "Sales Manager",  # short
    "KEY ACCOUNT MANAGER – VERTRIEB AUSSENDIENST",  # upper case: py3langid lowers it
    "Marketing Manager (m/w/d) – Join our team! Du planst Kampagnen and report on leads weekly.",  # mixed
    "Менеджер по продажам, опыт работы от 3 лет",
    "営業担当者を募集しています。法人顧客への提案営業をお任せします。",
    "12345 !!! ---",  # no letters: py3langid's featureless case
    "",
]


def _source_or_skip():
    path = language_pack.source_model_path()
    if not path.is_file():
        pytest.skip(f"py3langid's model file {path} is not installed")
    return path


@pytest.fixture(scope="module")
def own_identifier():
    from py3langid.langid import LanguageIdentifier

    identifier = LanguageIdentifier.from_modelpath(_source_or_skip(), norm_probs=True)
    identifier.set_languages(language.CANDIDATES)
    return identifier


def _random_texts(count: int, length: int) -> list[str]:
    """Arbitrary bytes read as Latin-1: n-grams no posting has, control bytes, every byte value."""
    rng = np.random.default_rng(12)
    return [bytes(rng.integers(0, 256, length, dtype=np.uint8)).decode("latin-1") for _ in range(count)]


def test_the_trie_counts_what_the_automaton_counts(own_identifier):
    counter = language_pack.identifier(language_pack.read_arrays(language_pack.pack_path())).counter
    for text in [*TEXTS, *_random_texts(40, 300), "aaaa" * 50, "x", "xy"]:
        data = own_identifier._encode(text)
        walked = visit_counts(own_identifier.tk_nextmove, own_identifier._rowbase, own_identifier.tk_output, data)
        found = counter.counts(data)
        if walked is None:
            assert found is None, text
            continue
        features, counts = found
        # same features, same counts, in the order the walk first met them (the float sums follow it)
        assert list(zip(features.tolist(), counts.tolist(), strict=True)) == list(walked.items()), text


def test_counting_many_strings_at_once_counts_each_as_alone():
    """No n-gram reaches across from one string into the next, and empty or featureless
    strings keep their place."""
    counter = language_pack.identifier(language_pack.read_arrays(language_pack.pack_path())).counter
    identifier = language_pack.identifier(language_pack.read_arrays(language_pack.pack_path()))
    datas = [identifier.encode(t) for t in [*TEXTS, *_random_texts(8, 200), "x", "aaaa" * 30, ""]]
    together = counter.counts_many(datas)
    assert len(together) == len(datas)
    for data, found in zip(datas, together, strict=True):
        alone = counter.counts(data)
        if alone is None:
            assert found is None, data
            continue
        assert found[0].tolist() == alone[0].tolist() and found[1].tolist() == alone[1].tolist(), data
    # every probability the same, alone or in a chunk
    texts = [*TEXTS, *_random_texts(4, 150)]
    assert [s.tobytes() for s in identifier.scores_many(texts)] == [identifier.scores(t).tobytes() for t in texts]


def test_the_pack_says_exactly_what_py3langid_says(own_identifier):
    packed = language_pack.identifier(language_pack.read_arrays(language_pack.pack_path()))
    assert packed.nb_classes == own_identifier.nb_classes
    for text in [*TEXTS, *_random_texts(10, 120)]:
        for sample in (text, text[:40]):
            assert packed.classify(sample) == own_identifier.classify(sample), sample
            ranked = sorted(zip(packed.nb_classes, packed.scores(sample).tolist(), strict=True), key=itemgetter(1), reverse=True)
            assert ranked == own_identifier.rank(sample), sample  # every probability, exactly


def test_detect_language_reads_the_pack():
    assert language.detect_language(TEXTS[0]) == "en"
    assert language.detect_language(TEXTS[1]) == "de"
    assert language.detect_language(TEXTS[2]) == "fr"
    assert language._identifier().nb_classes == language_pack.read_arrays(language_pack.pack_path())[
        "classes"
    ].tolist()


def test_the_shipped_pack_is_what_the_build_script_writes(tmp_path):
    source = _source_or_skip()
    shipped = language_pack.read_arrays(language_pack.pack_path())
    built = language_pack.build_arrays(language.CANDIDATES, source)
    assert str(shipped["source_sha256"]) == str(built["source_sha256"]), (
        "py3langid's model changed since the pack was built: run `python -m roleclass.language_pack`"
    )
    for key in language_pack.KEYS:
        assert shipped[key].dtype == built[key].dtype, key
        assert shipped[key].shape == built[key].shape, key
        assert shipped[key].flags.f_contiguous == built[key].flags.f_contiguous, key
        np.testing.assert_array_equal(shipped[key], built[key], err_msg=key)
    # writing is deterministic: the script run twice gives the same file
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    language_pack.main([str(first)])
    language_pack.main([str(second)])
    assert first.read_bytes() == second.read_bytes()


def test_a_file_that_is_not_a_pack_is_refused(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, ptc=np.zeros(3))
    with pytest.raises(ValueError, match="not a roleclass language pack"):
        language_pack.read_arrays(path)


def test_a_pack_with_python_objects_is_refused_unread(tmp_path):
    arrays = {key: np.zeros(2) for key in language_pack.KEYS}
    arrays["classes"] = np.array(["en", object()], dtype=object)
    path = tmp_path / "objects.npz"
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="holds Python objects"):
        language_pack.read_arrays(path)


def test_the_trie_tables_are_a_fraction_of_the_automaton():
    """What the identifier holds for counting: the trie's node tables, not py3langid's 40 MB transition table."""
    counter = language_pack.identifier(language_pack.read_arrays(language_pack.pack_path())).counter
    held = sum(a.nbytes for a in (*counter.keys, *counter.outputs, *counter.dense))
    assert held < 12_000_000
    assert sum(len(k) for k in counter.keys) > 100_000  # every node of the automaton is there
