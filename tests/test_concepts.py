"""The medical concept files (data/concepts/*.toml) and their loader (kb.concepts)."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from kb.concepts import KINDS, TITLE_TABLE, ConceptError, ConceptSet, load_concepts
from kb.config import DEFAULT_CONCEPTS
from kb.languages import LANGUAGES

GROUPS = {"injectables", "lasers-light", "peels", "body", "hair", "veins", "skin",
          "face-areas", "medical"}
# Words on most pages: as a bare term they would tag every page and flood the results.
GENERAL_WORDS = {"кожа", "лицо", "лечение", "процедура", "тело", "уколы", "инъекции",
                 "косметология", "δέρμα", "πρόσωπο", "θεραπεία", "σώμα", "ενέσεις",
                 "pelle", "viso", "trattamento", "corpo", "iniezioni", "terapia"}

GOOD = """
[botulinum-toxin]
kind = "substance"
ru = ["ботокс"]
el = ["μπότοξ"]
it = ["tossina botulinica"]
names = ["Botox"]
"""


@pytest.fixture(scope="module")
def shipped() -> ConceptSet:
    return load_concepts(DEFAULT_CONCEPTS)


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def concept_with(concepts: ConceptSet, lang: str, term: str) -> set[str]:
    return {c.id for c in concepts if term in c.terms[lang]}


# --- the shipped data ---------------------------------------------------------------------


def test_shipped_concepts_load_with_a_broad_coverage(shipped):
    assert 150 <= len(shipped) <= 250


def test_every_shipped_concept_has_terms_in_all_three_languages_or_names(shipped):
    lacking = [c.id for c in shipped if not all(c.terms[l] for l in LANGUAGES) and not c.names]
    assert lacking == []


def test_shipped_groups_are_the_file_stems(shipped):
    stems = {p.stem for p in DEFAULT_CONCEPTS.glob("*.toml")}
    assert set(shipped.groups()) == stems == GROUPS


def test_each_shipped_concept_belongs_to_the_file_that_defines_it(shipped):
    for path in DEFAULT_CONCEPTS.glob("*.toml"):
        for cid in tomllib.loads(path.read_text(encoding="utf-8")).keys() - {TITLE_TABLE}:
            assert shipped.by_id(cid).group == path.stem


def test_shipped_kinds_are_known(shipped):
    assert {c.kind for c in shipped} <= KINDS


def test_shipped_terms_are_phrases_of_one_to_four_words(shipped):
    long = [(c.id, t) for c in shipped for t in c.all_terms() if not 1 <= len(t.split()) <= 4]
    assert long == []


def test_no_shipped_term_is_a_bare_general_word(shipped):
    general = [(c.id, t) for c in shipped for t in c.all_terms() if t.lower() in GENERAL_WORDS]
    assert general == []


def test_no_shipped_term_belongs_to_two_concepts_in_the_same_language(shipped):
    owner: dict[tuple[str, str], str] = {}
    shared = []
    for c in shipped:
        keyed = [(l, t) for l in LANGUAGES for t in c.terms[l]] + [("*", n) for n in c.names]
        for lang, term in keyed:
            key = (lang, term.lower().replace("ё", "е"))
            if key in owner and owner[key] != c.id:
                shared.append((term, owner[key], c.id))
            owner[key] = c.id
    assert shared == []


@pytest.mark.parametrize("lang, term, concept", [
    ("ru", "ботокс", "botulinum-toxin"),
    ("ru", "уколы красоты", "botulinum-toxin"),
    ("el", "μπότοξ", "botulinum-toxin"),
    ("el", "αλλαντική τοξίνη", "botulinum-toxin"),
    ("it", "tossina botulinica", "botulinum-toxin"),
    ("ru", "потливость", "hyperhidrosis"),
    ("ru", "гипергидроз", "hyperhidrosis"),
    ("el", "ιδρώτας", "hyperhidrosis"),
    ("el", "υπερβολική εφίδρωση", "hyperhidrosis"),
    ("it", "sudorazione eccessiva", "hyperhidrosis"),
    ("it", "rughe", "wrinkles"),
    ("el", "πίλινγκ", "chemical-peel"),
    ("el", "peeling", "chemical-peel"),
])
def test_everyday_words_lead_to_their_concept(shipped, lang, term, concept):
    assert concept_with(shipped, lang, term) == {concept}


def test_brand_names_are_valid_in_every_language(shipped):
    botox = shipped.by_id("botulinum-toxin")
    assert "Botox" in botox.names
    assert all("Dysport" in botox.terms_for(lang) for lang in LANGUAGES)


def test_terms_for_accepts_gr_as_greek(shipped):
    botox = shipped.by_id("botulinum-toxin")
    assert botox.terms_for("gr") == botox.terms_for("el")


def test_by_id_raises_key_error_for_an_unknown_concept(shipped):
    with pytest.raises(KeyError):
        shipped.by_id("no-such-concept")


# --- the loader on small files --------------------------------------------------------------


def test_a_good_file_loads_its_concept_with_its_stem_as_group(tmp_path):
    write(tmp_path, "injectables.toml", GOOD)
    concepts = load_concepts(tmp_path)
    assert len(concepts) == 1
    botox = concepts.by_id("botulinum-toxin")
    assert (botox.group, botox.kind, botox.names) == ("injectables", "substance", ("Botox",))
    assert botox.terms == {"ru": ("ботокс",), "el": ("μπότοξ",), "it": ("tossina botulinica",)}


def test_files_load_in_sorted_order_and_groups_follow_it(tmp_path):
    write(tmp_path, "b.toml", '[two]\nkind = "area"\nit = ["collo"]\n')
    write(tmp_path, "a.toml", '[one]\nkind = "area"\nit = ["labbra"]\n')
    concepts = load_concepts(tmp_path)
    assert [c.id for c in concepts] == ["one", "two"]
    assert concepts.groups() == ("a", "b")


def test_toml_syntax_error_names_the_file_and_line(tmp_path):
    path = write(tmp_path, "broken.toml", '[one]\nit = ["collo"]\nkind = area\n')
    with pytest.raises(ConceptError) as caught:
        load_concepts(tmp_path)
    assert caught.value.line == 3
    assert str(caught.value).startswith(f"{path}:3: invalid TOML")


def test_unknown_kind_is_rejected_naming_file_and_concept(tmp_path):
    path = write(tmp_path, "skin.toml", '[acne]\nkind = "illness"\nru = ["акне"]\n')
    with pytest.raises(ConceptError, match="illness") as caught:
        load_concepts(tmp_path)
    assert str(path) in str(caught.value) and "'acne'" in str(caught.value)


def test_missing_kind_is_rejected(tmp_path):
    write(tmp_path, "skin.toml", '[acne]\nru = ["акне"]\n')
    with pytest.raises(ConceptError, match="kind"):
        load_concepts(tmp_path)


def test_duplicate_id_across_two_files_is_rejected_naming_both(tmp_path):
    first = write(tmp_path, "a.toml", GOOD)
    second = write(tmp_path, "b.toml", GOOD)
    with pytest.raises(ConceptError, match="duplicate") as caught:
        load_concepts(tmp_path)
    assert str(second) in str(caught.value) and str(first) in str(caught.value)
    assert caught.value.concept == "botulinum-toxin"


def test_gr_is_accepted_as_el(tmp_path):
    write(tmp_path, "a.toml", '[acne]\nkind = "condition"\ngr = ["ακμή"]\n')
    acne = load_concepts(tmp_path).by_id("acne")
    assert acne.terms["el"] == ("ακμή",) and "gr" not in acne.terms


def test_gr_and_el_together_are_rejected(tmp_path):
    write(tmp_path, "a.toml", '[acne]\nkind = "condition"\ngr = ["ακμή"]\nel = ["σπυριά"]\n')
    with pytest.raises(ConceptError, match="twice"):
        load_concepts(tmp_path)


def test_empty_term_list_is_rejected(tmp_path):
    path = write(tmp_path, "a.toml", '[acne]\nkind = "condition"\nru = []\nit = ["acne"]\n')
    with pytest.raises(ConceptError, match="ru") as caught:
        load_concepts(tmp_path)
    assert str(path) in str(caught.value) and "'acne'" in str(caught.value)


@pytest.mark.parametrize("body, message", [
    ('kind = "condition"\nru = "акне"\n', "list"),
    ('kind = "condition"\nru = ["акне", 3]\n', "3"),
    ('kind = "condition"\nru = ["  "]\n', "string"),
    ('kind = "condition"\nen = ["acne"]\n', "unknown key 'en'"),
    ('kind = "condition"\nnames = ["акне"]\n', "Latin"),
    ('kind = "condition"\n', "no terms"),
])
def test_malformed_concept_is_rejected_naming_the_concept(tmp_path, body, message):
    write(tmp_path, "a.toml", "[acne]\n" + body)
    with pytest.raises(ConceptError, match=message) as caught:
        load_concepts(tmp_path)
    assert caught.value.concept == "acne"


@pytest.mark.parametrize("cid", ["Acne", "acne_scars", "-acne", "акне"])
def test_bad_concept_id_is_rejected(tmp_path, cid):
    write(tmp_path, "a.toml", f'["{cid}"]\nkind = "condition"\nit = ["acne"]\n')
    with pytest.raises(ConceptError, match="bad id"):
        load_concepts(tmp_path)


def test_a_top_level_value_that_is_not_a_table_is_rejected(tmp_path):
    write(tmp_path, "a.toml", 'acne = "condition"\n')
    with pytest.raises(ConceptError, match="table"):
        load_concepts(tmp_path)


def test_a_missing_directory_is_an_error(tmp_path):
    with pytest.raises(ConceptError, match="not found"):
        load_concepts(tmp_path / "nowhere")


def test_terms_are_trimmed_and_deduplicated(tmp_path):
    write(tmp_path, "a.toml", '[acne]\nkind = "condition"\nit = [" acne ", "acne", "brufoli  rossi"]\n')
    assert load_concepts(tmp_path).by_id("acne").terms["it"] == ("acne", "brufoli rossi")


# --- fingerprint ----------------------------------------------------------------------------


def test_fingerprint_is_stable_across_loads(tmp_path):
    write(tmp_path, "a.toml", GOOD)
    assert load_concepts(tmp_path).fingerprint == load_concepts(tmp_path).fingerprint


def test_fingerprint_changes_when_a_term_changes(tmp_path):
    path = write(tmp_path, "a.toml", GOOD)
    before = load_concepts(tmp_path).fingerprint
    path.write_text(GOOD.replace('"ботокс"', '"ботулотоксин"'), encoding="utf-8")
    assert load_concepts(tmp_path).fingerprint != before


def test_fingerprint_ignores_comments_and_layout(tmp_path):
    path = write(tmp_path, "a.toml", GOOD)
    before = load_concepts(tmp_path).fingerprint
    path.write_text("# a comment\n" + GOOD.replace('["ботокс"]', '[\n  "ботокс",\n]'),
                    encoding="utf-8")
    assert load_concepts(tmp_path).fingerprint == before


def test_fingerprint_is_a_sha1_hex_digest(shipped):
    assert len(shipped.fingerprint) == 40 and int(shipped.fingerprint, 16) >= 0
