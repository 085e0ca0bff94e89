"""Group titles in the concept files ([_title]): loaded beside the concepts, never a concept."""
from __future__ import annotations

from pathlib import Path

import pytest

from kb.concepts import ConceptError, load_concepts, load_group_titles
from kb.config import DEFAULT_CONCEPTS
from kb.languages import LANGUAGES

CONCEPT = '[botox]\nkind = "substance"\nru = ["ботокс"]\n'


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_shipped_group_has_a_title_in_every_language():
    concepts = load_concepts(DEFAULT_CONCEPTS)
    assert set(concepts.titles) == set(concepts.groups())
    assert all(set(title) == set(LANGUAGES) for title in concepts.titles.values())


def test_a_title_table_is_not_a_concept_and_gr_is_el(tmp_path):
    write(tmp_path, "toxins.toml", '[_title]\nru = "Токсины"\ngr = "Τοξίνες"\n\n' + CONCEPT)
    concepts = load_concepts(tmp_path)
    assert [c.id for c in concepts] == ["botox"]
    assert concepts.titles == {"toxins": {"ru": "Токсины", "el": "Τοξίνες"}}


def test_a_file_without_a_title_still_loads(tmp_path):
    write(tmp_path, "toxins.toml", CONCEPT)
    concepts = load_concepts(tmp_path)
    assert len(concepts) == 1 and concepts.titles == {}


def test_a_title_changes_no_fingerprint_so_no_rebuild(tmp_path):
    write(tmp_path, "toxins.toml", CONCEPT)
    before = load_concepts(tmp_path).fingerprint
    write(tmp_path, "toxins.toml", '[_title]\nit = "Tossine"\n' + CONCEPT)
    assert load_concepts(tmp_path).fingerprint == before


@pytest.mark.parametrize("table, complaint", [
    ('_title = "Токсины"', "must be a table"),
    ('[_title]\nde = "Toxine"', "unknown or repeated key 'de'"),
    ('[_title]\nel = "Τοξίνες"\ngr = "Τοξίνες"', "unknown or repeated key 'gr'"),
    ('[_title]\nru = ""', "ru must be a non-empty string"),
    ('[_title]\nru = ["Токсины"]', "ru must be a non-empty string"),
])
def test_a_malformed_title_is_refused_naming_the_file(tmp_path, table, complaint):
    write(tmp_path, "toxins.toml", table + "\n\n" + CONCEPT)
    with pytest.raises(ConceptError, match="toxins.toml") as error:
        load_concepts(tmp_path)
    assert complaint in str(error.value)


def test_the_home_page_reader_skips_a_broken_file_and_keeps_the_others(tmp_path):
    write(tmp_path, "a.toml", '[_title]\nru = "А"\n')
    write(tmp_path, "b.toml", "[_title\n")
    assert load_group_titles(tmp_path) == {"a": {"ru": "А"}}
    assert load_group_titles(tmp_path / "missing") == {}
