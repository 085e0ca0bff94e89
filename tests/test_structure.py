"""kb.structure: a page's treatments, mechanisms and indications, read from its Markdown."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.model import Mechanism, Structure
from kb.structure import extract_structure
from web.markup import render_markdown

DATA = Path(__file__).resolve().parent.parent / "data"
PAGES = sorted((DATA / "pages").glob("*/*.md"))
ARTICLES = sorted((DATA / "articles").glob("*.txt"))
SEED = DATA / "pages" / "botulinum-treatment"
LANG = {"ru": "ru", "gr": "el", "el": "el", "it": "it"}
WORD = re.compile(r"[^\W_]+")
ORDINAL = re.compile(r"^[ \t]*\d+[.)](?=[ \t]|$)", re.MULTILINE)


def page_body(path: Path) -> str:
    """The Markdown after the front matter: everything after the second '---' line."""
    lines = path.read_text(encoding="utf-8").split("\n")
    fences = [i for i, line in enumerate(lines) if line.rstrip("\r") == "---"]
    return "\n".join(lines[fences[1] + 1:])


def body_of(path: Path) -> str:
    return page_body(path) if path.suffix == ".md" else path.read_text(encoding="utf-8")


def lang_of(path: Path) -> str:
    return LANG[path.stem if path.suffix == ".md" else path.suffixes[-2].lstrip(".")]


def structure_of(path: Path) -> Structure:
    return extract_structure(body_of(path), lang_of(path))


def words_of(structure: Structure) -> set[str]:
    parts = [*structure.treatments, *structure.indications, structure.text]
    parts += [f"{m.name} {m.explanation}" for m in structure.mechanisms]
    return set(WORD.findall(" ".join(parts)))


def ids(paths: list[Path]) -> list[str]:
    return [f"{p.parent.name}/{p.name}" for p in paths]


# ---- the seed pages, exactly ----------------------------------------------------------------

SEED_TREATMENTS = {
    "ru": (
        "Химический лифт бровей",
        "Подъем губ",
        "Изменение формы челюсти",
        "Лечение мигрени ботулиническим токсином",
        "Лечение гипергидроза",
        '"Traptox" или "BarbieTox"',
        "Осветление и укрепление икры",
    ),
    "gr": (
        "Χημική Ανύψωση του Φρυδιού",
        "Αναστροφή των Χειλιών (Lip Flip)",
        "Αδυνάτισμα της Γνάθου",
        "Θεραπεία της Μυικής Κεφαλαλγίας με Βοτουλινική Τοξίνη",
        "Θεραπεία της Υπεριδρωτικότητας",
        "Θεραπείες Traptox ή BarbieTox",
        'Αδυνάτισμα του Γάστρακα ("Calf Slimming")',
    ),
    "it": (
        "Lifting Chimico delle Sopracciglia",
        "Lip Flip",
        "Snellimento della Mascella",
        "Trattamento per Emicrania con Tossina Botulinica",
        "Trattamento per Iperidrosi",
        "Traptox o BarbieTox",
        "Snellimento dei Polpacci",
    ),
}

SEED_MECHANISMS = {
    "ru": (
        Mechanism(
            "Ингибирование выхода ацетилхолина",
            "Ботулинический токсин мешает выделению ацетилхолина, нейромедиатора, от нервных "
            "окончаний. Ацетилхолин отвечает за передачу сигналов между нервными клетками и "
            "мышечными клетками, что приводит к сокращению мышц.",
        ),
        Mechanism(
            "Нейромышечная блокада",
            "Когда ботулинический токсин вводится в мышцу, он препятствует выделению "
            "ацетилхолина на нейромышечной синапсе. Это приводит к временному и обратимому "
            "подавлению сокращений мышц.",
        ),
        Mechanism(
            "Паралич мышц",
            "Без нормальной передачи сигналов от нервов к мышцам пораженные мышцы становятся "
            "парализованными или ослабленными. Этот эффект локализован в месте введения "
            "токсина.",
        ),
    ),
    "gr": (
        Mechanism(
            "Αναστολή της Απελευθέρωσης της Ασετυλχολίνης",
            "Η τοξίνη Botulinum εμποδίζει την απελευθέρωση της ασετυλχολίνης, ενός "
            "νευρομεσοληψικού, από τις νευρικές άκρες. Η ασετυλχολίνη είναι υπεύθυνη για τη "
            "μετάδοση σημάτων μεταξύ νευρικών κυττάρων και μυϊκών κυττάρων, οδηγώντας σε μυϊκή "
            "σύσπαση.",
        ),
        Mechanism(
            "Νευρομυικός Αποκλεισμός",
            "Όταν η τοξίνη Botulinum ενέχεται σε ένα μυς, αποτρέπει την απελευθέρωση της "
            "ασετυλχολίνης στη νευρομυική σύναψη. Αυτό οδηγεί σε προσωρινή και αναστρέψιμη "
            "αναστολή των μυϊκών συσπάσεων.",
        ),
        Mechanism(
            "Παράλυση μυών",
            "Χωρίς την κανονική μετάδοση σημάτων από νεύρα προς μύες, οι επηρεαζόμενοι μύες "
            "γίνονται παραλυμένοι ή αποθαρρυμένοι. Αυτή η επίδραση είναι τοποθετημένη στην "
            "περιοχή όπου ενέχεται η τοξίνη.",
        ),
    ),
    "it": (
        Mechanism(
            "Inibizione del Rilascio di Acetilcolina",
            "La tossina botulinica interferisce con il rilascio di acetilcolina, un "
            "neurotrasmettitore, dalle terminazioni nervose. L'acetilcolina è responsabile "
            "della trasmissione dei segnali tra le cellule nervose e le cellule muscolari, "
            "portando alla contrazione muscolare.",
        ),
        Mechanism(
            "Blocco Neuromuscolare",
            "Quando la tossina botulinica viene iniettata in un muscolo, impedisce il rilascio "
            "di acetilcolina alla giunzione neuromuscolare. Ciò si traduce in un'inibizione "
            "temporanea e reversibile delle contrazioni muscolari.",
        ),
        Mechanism(
            "Paralisi Muscolare",
            "Senza la normale trasmissione dei segnali dai nervi ai muscoli, i muscoli colpiti "
            "diventano paralizzati o indeboliti. Questo effetto è localizzato nell'area in cui "
            "la tossina viene iniettata.",
        ),
    ),
}

SEED_INDICATIONS = {
    "ru": (
        "Косметические цели: для уменьшения видимости морщин и мелких линий путем временного "
        "расслабления лицевых мышц",
        "Медицинские состояния: для лечения состояний, таких как спастичность мышц, "
        "цервикальная дистония, блефароспазм (непроизвольные сокращения век) и хронические "
        "мигренные головные боли",
    ),
    "gr": (
        "Κοσμητικοί σκοποί: Για τη μείωση της εμφάνισης ρυτίδων και μικρών γραμμών με την "
        "προσωρινή χαλάρωση των μυών του προσώπου",
        "Ιατρικές καταστάσεις: Για τη θεραπεία καταστάσεων όπως μυϊκά σπασμούς, κερβική "
        "δυστονία, βλεφαροσπασμό (αυθόρμητες συσπάσεις βλεφάρων) και χρόνια μυριγγικά "
        "πονοκεφαλέα",
    ),
    "it": (
        "Scopi cosmetici: Ridurre l'apparenza di rughe e linee sottili rilassando "
        "temporaneamente i muscoli facciali",
        "Condizioni mediche: Trattare condizioni come spasmi muscolari, distonia cervicale, "
        "blefarospasmo (contrazioni involontarie delle palpebre) e emicrania cronica",
    ),
}

SEED_HEADINGS = {
    "ru": "Специализированные методы лечения ботулиническим токсином",
    "gr": "Εξειδικευμένες Θεραπείες με Τοξίνη Botulinum",
    "it": "Trattamenti Specializzati con Tossina Botulinica",
}


@pytest.mark.parametrize("lang", ["ru", "gr", "it"])
def test_seed_treatments_are_the_items_of_the_list_under_the_heading(lang):
    assert structure_of(SEED / f"{lang}.md").treatments == SEED_TREATMENTS[lang]


@pytest.mark.parametrize("lang", ["ru", "gr", "it"])
def test_seed_mechanisms_are_the_named_items_with_their_nested_explanations(lang):
    assert structure_of(SEED / f"{lang}.md").mechanisms == SEED_MECHANISMS[lang]


@pytest.mark.parametrize("lang", ["ru", "gr", "it"])
def test_seed_indications_are_the_list_after_the_uses_sentence(lang):
    assert structure_of(SEED / f"{lang}.md").indications == SEED_INDICATIONS[lang]


@pytest.mark.parametrize("lang", ["ru", "gr", "it"])
def test_seed_treatment_heading_stays_in_text(lang):
    assert SEED_HEADINGS[lang] in structure_of(SEED / f"{lang}.md").text.split("\n")


def test_greek_code_gr_and_el_give_the_same_structure():
    body = page_body(SEED / "gr.md")
    assert extract_structure(body, "gr") == extract_structure(body, "el")


# ---- the seed article ----------------------------------------------------------------------

def test_seed_article_has_no_treatments_and_no_mechanisms():
    structure = structure_of(DATA / "articles" / "botulotoxin.ru.txt")
    assert (structure.treatments, structure.mechanisms) == ((), ())


def test_seed_article_side_effects_list_is_not_indications():
    structure = structure_of(DATA / "articles" / "botulotoxin.ru.txt")
    assert structure.indications == ()
    assert "слабость мышц;" in structure.text.split("\n")


# ---- every page and article ----------------------------------------------------------------

def test_all_pages_and_articles_are_covered():
    assert len(PAGES) >= 27 and len(ARTICLES) >= 5


@pytest.mark.parametrize("path", PAGES, ids=ids(PAGES))
def test_every_page_has_treatments_mechanisms_and_indications(path):
    structure = structure_of(path)
    assert len(structure.treatments) >= 3
    assert len(structure.mechanisms) >= 2
    assert len(structure.indications) >= 2


@pytest.mark.parametrize("path", PAGES, ids=ids(PAGES))
def test_no_mechanism_name_appears_among_indications(path):
    structure = structure_of(path)
    labels = {i.split(":", 1)[0].strip() for i in structure.indications}
    for mechanism in structure.mechanisms:
        assert mechanism.name not in structure.indications
        assert mechanism.name not in labels


@pytest.mark.parametrize("path", PAGES, ids=ids(PAGES))
def test_every_mechanism_has_a_name_and_an_explanation(path):
    for mechanism in structure_of(path).mechanisms:
        assert mechanism.name and mechanism.explanation
        assert not mechanism.name.endswith(":")


@pytest.mark.parametrize("path", PAGES, ids=ids(PAGES))
def test_extracted_items_have_no_markdown_markers_or_stray_whitespace(path):
    structure = structure_of(path)
    for text in (*structure.treatments, *structure.indications):
        assert text == " ".join(text.split())
        assert not text.startswith(("-", "*", "+")) and "**" not in text
        assert not text.endswith((";", "."))


ARTICLE_LISTS = {
    "botulotoxin.ru.txt": "аллергические реакции.",
    "fillers-myths.ru.txt": "беременность и кормление грудью;",
    "laser-vs-peel.gr.txt": "κόστος: το peeling είναι συνήθως φθηνότερο ανά συνεδρία, "
                            "αλλά χρειάζονται περισσότερες συνεδρίες·",
    "peeling-estate.it.txt": "non staccare le pellicine durante la desquamazione;",
    "vene-varicose.it.txt": "tenere sotto controllo il peso.",
}


@pytest.mark.parametrize("path", ARTICLES, ids=ids(ARTICLES))
def test_article_comparison_rules_and_side_effect_lists_are_not_indications(path):
    structure = structure_of(path)
    assert structure.indications == ()
    # a line right after the list, with no blank line, continues its last item (CommonMark)
    assert any(line.startswith(ARTICLE_LISTS[path.name]) for line in structure.text.split("\n"))


@pytest.mark.parametrize("path", ARTICLES, ids=ids(ARTICLES))
def test_articles_without_headings_have_no_treatments(path):
    assert structure_of(path).treatments == ()


@pytest.mark.parametrize("path", PAGES + ARTICLES, ids=ids(PAGES + ARTICLES))
def test_nothing_is_lost_every_word_of_the_body_is_in_the_structure(path):
    missing = set(WORD.findall(body_of(path))) - words_of(structure_of(path))
    assert not missing


@pytest.mark.parametrize("path", PAGES, ids=ids(PAGES))
def test_list_markers_are_removed_from_text(path):
    for line in structure_of(path).text.split("\n"):
        assert not re.match(r"\s*([-*+]|\d+[.)])\s", line)
        assert not line.startswith("#")


LINE = st.tuples(
    st.sampled_from(["", " ", "  ", "\t", "   ", "    ", " \t"]),
    st.sampled_from(["", "- ", "-\t", "* ", "+ ", "1. ", "2) ", "# ", "### ", "**", "__"]),
    st.lists(st.sampled_from(["показания", "ενδείξεις", "come agisce", "rischi", "слово",
                              "λέξη", "parola", "**forte**", "__x__", ":", ";", "-", "#"]),
             max_size=6),
    st.sampled_from(["", ":", "  ", ";", ".", "\r"]),
).map(lambda t: t[0] + t[1] + " ".join(t[2]) + t[3])


@settings(max_examples=300, deadline=None)
@given(st.lists(LINE, max_size=30))
def test_nothing_is_lost_from_any_markdown_like_body(lines):
    body = "\n".join(lines)
    words = WORD.findall(ORDINAL.sub("", body))  # a list's numbers are markers, not words
    assert not set(words) - words_of(extract_structure(body, "ru"))


# ---- general cues, on pages not seen before ------------------------------------------------

def test_a_list_under_a_contraindications_heading_is_neither_treatments_nor_indications():
    structure = extract_structure("### Противопоказания\n- беременность\n- инфекции", "ru")
    assert (structure.treatments, structure.indications) == ((), ())


def test_a_list_under_an_indications_heading_is_indications():
    body = "### Treatments\n- Uno\n- Due\n\n## Indicazioni\n- Rughe;\n- Macchie."
    structure = extract_structure(body, "it")
    assert (structure.treatments, structure.indications) == (("Uno", "Due"), ("Rughe", "Macchie"))


def test_a_list_after_a_side_effects_intro_is_not_indications_even_with_a_uses_word():
    body = "Οι παρενέργειες είναι σπάνιες. Οι πιο συχνές περιλαμβάνουν:\n- οίδημα\n- μώλωπες"
    assert extract_structure(body, "el").indications == ()


def test_a_list_after_an_intro_without_a_uses_word_is_text():
    structure = extract_structure("Il kit contiene:\n- ago\n- siero", "it")
    assert structure.indications == () and structure.text.split("\n")[-2:] == ["ago", "siero"]


def test_a_nested_list_announced_as_indications_is_indications():
    body = "Показания включают:\n- Косметические:\n  - морщины\n- Медицинские:\n  - мигрень"
    structure = extract_structure(body, "ru")
    assert structure.mechanisms == ()
    assert structure.indications == ("Косметические: морщины", "Медицинские: мигрень")


def test_name_colon_explanation_items_after_a_how_it_works_intro_are_mechanisms():
    body = "Ecco come agisce il laser:\n- **Assorbimento**: la melanina assorbe.\n- Calore: scalda."
    assert extract_structure(body, "it").mechanisms == (
        Mechanism("Assorbimento", "la melanina assorbe."), Mechanism("Calore", "scalda."))


def test_cue_words_match_without_accents_and_case():
    body = "Η ΘΕΡΑΠΕΙΑ ΕΝΔΕΙΚΝΥΤΑΙ ΓΙΑ:\n- ακμή\n- ουλές"
    assert extract_structure(body, "el").indications == ("ακμή", "ουλές")


# ---- robustness ----------------------------------------------------------------------------

def test_empty_body_gives_an_empty_structure():
    assert extract_structure("", "ru") == Structure()


def test_whitespace_only_body_gives_an_empty_structure():
    assert extract_structure(" \n\t\n\r\n  ", "it") == Structure()


def test_body_of_only_paragraphs_is_all_text():
    body = "Первый абзац,\nвторая строка.  \n\nВторой абзац:"
    assert extract_structure(body, "ru") == Structure(
        text="Первый абзац,\nвторая строка.\n\nВторой абзац:")


def test_deeply_nested_list_of_200_levels_is_one_mechanism_to_the_parsers_depth():
    body = "\n".join("  " * level + f"- level{level}" for level in range(200))
    structure = extract_structure(body, "it")
    assert [m.name for m in structure.mechanisms] == ["level0"]
    kept = structure.mechanisms[0].explanation.split()  # markdown-it drops what is deeper
    assert kept == [f"level{i}" for i in range(1, len(kept) + 1)] and len(kept) >= 40


ONE_MEGABYTE = {
    "pages": lambda: (page_body(SEED / "it.md") + "\n\n") * 500,
    "one line": lambda: "parola " * 150_000 + "indicazioni:\n- a\n- b",
    "flat items": lambda: "- voce\n" * 150_000,
    "nested items": lambda: "".join(f"{'  ' * (i % 50)}- v\n" for i in range(40_000)),
    "spaces": lambda: " " * 1_000_000 + "x",
}


def seconds(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


@pytest.mark.parametrize("shape", ONE_MEGABYTE)
def test_a_one_megabyte_body_costs_no_more_than_rendering_its_page(shape):
    body = ONE_MEGABYTE[shape]()  # one parser for both: markdown-it-py, ~30 µs a list item
    assert len(body.encode("utf-8")) >= 1_000_000
    assert seconds(extract_structure, body, "it") < 2 * seconds(render_markdown, body) + 1.0
