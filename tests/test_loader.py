"""kb.loader: content files become entries; each bad file is one Problem and the rest still load."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from core_support import SEED_ARTICLE, SEED_PAGES, require_shared
from kb.loader import load_entries

SOURCE_HASH = "88b23ef135888d3d84ecb0b15fc8cf82"


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def page(lang: str, title: str, body: str, page_id: str | None = None, extra: str = "") -> str:
    head = f"title: {title}\nlang: {lang}\n" + (f"page_id: {page_id}\n" if page_id else "") + extra
    return f"---\n{head}---\n{body}\n"


def by_id(result) -> dict:
    return {e.id: e for e in result.entries}


# -- the seeds --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    """The four seed files (data/ holds them byte-identical) under a root of their own."""
    root = tmp_path_factory.mktemp("seeds")
    pages = root / "pages" / "botulinum-treatment"
    pages.mkdir(parents=True)
    for name in ("ru.md", "gr.md", "it.md"):
        shutil.copyfile(SEED_PAGES / name, pages / name)
    (root / "articles").mkdir()
    shutil.copyfile(SEED_ARTICLE, root / "articles" / "botulotoxin.ru.txt")
    result = load_entries([root])
    return root, result


def test_the_four_seed_files_load_without_problems(seeds):
    _, result = seeds
    assert result.problems == []
    assert sorted(by_id(result)) == ["articles/botulotoxin.ru", "botulinum-treatment/gr",
                                     "botulinum-treatment/it", "botulinum-treatment/ru"]


@pytest.mark.parametrize("entry_id, lang, written, title, alt, source_hash", [
    ("botulinum-treatment/ru", "ru", "ru", "Специализированные лечения ботулиническим токсином",
     "Инъекции для эстетики тела", SOURCE_HASH),
    ("botulinum-treatment/gr", "el", "gr", "Ειδικές θεραπείες με βοτουλινική τοξίνη",
     "Αισθητικές ενέσεις στο σώμα", SOURCE_HASH),
    ("botulinum-treatment/it", "it", "it", "Trattamenti Specializzati con Tossina Botulinica",
     "Iniezioni Estetiche per il Corpo", None),
])
def test_a_seed_page_reads_its_front_matter(seeds, entry_id, lang, written, title, alt, source_hash):
    entry = by_id(seeds[1])[entry_id]
    assert entry.lang == lang
    assert entry.lang_written == written
    assert entry.lang_source == "front matter"
    assert entry.title == title  # the top-level title, not the one nested under caption:
    assert entry.page_id == "botulinum-treatment"
    assert entry.source_hash == source_hash
    assert entry.alt == alt
    assert entry.subtitle == ""
    assert entry.image == "assets/img/portfolio/botulinum-treatment.webp"
    assert entry.kind == "page"


def test_a_seed_page_body_starts_after_the_front_matter(seeds):
    entry = by_id(seeds[1])["botulinum-treatment/gr"]
    assert entry.body.startswith("### Εξειδικευμένες Θεραπείες με Τοξίνη Botulinum")
    assert "page_id" not in entry.body


def test_the_seed_article_takes_its_id_and_language_from_its_path(seeds):
    entry = by_id(seeds[1])["articles/botulotoxin.ru"]
    assert entry.lang == "ru"
    assert entry.lang_written == "ru"
    assert entry.lang_source == "file name"
    assert entry.page_id is None
    assert entry.source_hash is None
    assert entry.kind == "article"
    assert entry.path == "articles/botulotoxin.ru.txt"
    assert entry.title.startswith("Ботулотоксин")


def test_the_seeds_as_received_keep_their_page_ids_whatever_their_file_names():
    corpus = require_shared()
    result = load_entries([corpus / "seeds"])
    entries = by_id(result)
    assert {"botulinum-treatment/ru", "botulinum-treatment/gr", "botulinum-treatment/it"} <= set(entries)
    article = next(e for e in result.entries if e.page_id is None)
    assert article.id == Path(article.path).stem  # "001_08a3ffd531f48075"
    assert (article.lang, article.lang_source) == ("ru", "detected")


# -- ids and languages ------------------------------------------------------------------------
def test_an_id_without_page_id_is_the_relative_path_less_the_last_extension(tmp_path):
    write(tmp_path / "articles" / "fillers.ru.txt", "Филлеры и мифы о них.")
    write(tmp_path / "notes" / "readme.md", page("it", "Note", "Una nota."))
    write(tmp_path / "top.el.markdown", "Κείμενο")
    result = load_entries([tmp_path])
    assert result.problems == []
    assert sorted(by_id(result)) == ["articles/fillers.ru", "notes/readme", "top.el"]


def test_an_id_with_page_id_is_page_id_and_the_language_as_written(tmp_path):
    write(tmp_path / "whatever" / "name.md", page("gr", "Τίτλος", "Κείμενο", page_id="lasers"))
    entry = load_entries([tmp_path]).entries[0]
    assert entry.id == "lasers/gr"
    assert entry.lang == "el"


@pytest.mark.parametrize("name, lang, written", [
    ("x.el.txt", "el", "el"),
    ("x.gr.txt", "el", "gr"),
    ("x.it.md", "it", "it"),
    ("ru.md", "ru", "ru"),
    ("gr.md", "el", "gr"),
])
def test_the_language_comes_from_the_file_name(tmp_path, name, lang, written):
    write(tmp_path / name, "Botox Dysport Xeomin")  # no telling words in the text
    result = load_entries([tmp_path])
    assert result.problems == []
    entry = result.entries[0]
    assert (entry.lang, entry.lang_written, entry.lang_source) == (lang, written, "file name")


def test_front_matter_values_are_read_as_the_text_written(tmp_path):
    """YAML would make 007 the number 7 and yes the boolean True; a page's values are its text."""
    write(tmp_path / "p.md", "---\ntitle: Yes\nlang: ru\npage_id: 007\n"
                             "source_hash: 01234567012345670123456701234567\n---\nТекст.\n")
    entry = load_entries([tmp_path]).entries[0]
    assert entry.page_id == "007"
    assert entry.id == "007/ru"
    assert entry.title == "Yes"
    assert entry.source_hash == "01234567012345670123456701234567"


def test_front_matter_language_wins_over_the_file_name(tmp_path):
    write(tmp_path / "x.ru.md", page("it", "Titolo", "Testo italiano"))
    entry = load_entries([tmp_path]).entries[0]
    assert (entry.lang, entry.lang_source) == ("it", "front matter")


@pytest.mark.parametrize("text, lang", [
    ("Мезотерапия — это инъекции витаминных коктейлей.", "ru"),
    ("Η μεσοθεραπεία είναι μια θεραπεία με ενέσεις.", "el"),
    ("La mesoterapia è un trattamento per la pelle del viso.", "it"),
])
def test_a_file_with_neither_front_matter_nor_suffix_is_detected(tmp_path, text, lang):
    write(tmp_path / "plain.txt", text)
    result = load_entries([tmp_path])
    assert result.problems == []
    entry = result.entries[0]
    assert (entry.id, entry.lang, entry.lang_source) == ("plain", lang, "detected")


# -- bad input: one Problem naming the file, every other file still loads ----------------------
GOOD = {
    "good/ru.md": page("ru", "Мезотерапия", "Инъекции витаминов.", page_id="meso"),
    "good/it.md": page("it", "Mesoterapia", "Iniezioni di vitamine.", page_id="meso"),
    "good/note.ru.txt": "Короткая заметка.",
}


def good_root(root: Path) -> Path:
    for rel, text in GOOD.items():
        write(root / rel, text)
    return root


def assert_others_load(result):
    assert {"meso/ru", "meso/it", "good/note.ru"} <= set(by_id(result))


def only_problem(result, name: str):
    assert len(result.problems) == 1, [str(p) for p in result.problems]
    problem = result.problems[0]
    assert Path(problem.path).name == name
    assert name in str(problem)
    return problem


def test_front_matter_that_yaml_rejects_is_recovered_with_a_warning_naming_the_line(tmp_path):
    root = good_root(tmp_path)
    write(root / "bad.md", "---\nlang: ru\npage_id: colon\ntitle: A: B\n---\nТекст.\n")
    result = load_entries([root])
    problem = only_problem(result, "bad.md")
    assert problem.line == 4
    assert problem.skipped is False
    assert ":4:" in str(problem)
    entry = by_id(result)["colon/ru"]
    assert entry.title == "A: B"
    assert entry.body == "Текст.\n"
    assert_others_load(result)


def test_a_non_utf8_file_is_skipped_naming_the_line_of_the_bad_byte(tmp_path):
    root = good_root(tmp_path)
    write(root / "latin1.ru.txt", "первая строка\nвторая\n".encode() + b"caf\xe9 ole\n")
    result = load_entries([root])
    problem = only_problem(result, "latin1.ru.txt")
    assert problem.line == 3
    assert problem.skipped
    assert_others_load(result)


@pytest.mark.parametrize("name, content, words", [
    ("empty.md", b"", "empty"),
    ("blank.md", b"\n  \n\t\n", "empty"),
    ("binary.txt", b"PK\x03\x04\x00\x00\x00binary\x00data", "binary"),
    ("xx.md", page("xx", "Title", "Body").encode(), "'xx'"),
])
def test_a_bad_file_is_one_problem_naming_it(tmp_path, name, content, words):
    root = good_root(tmp_path)
    write(root / name, content)
    result = load_entries([root])
    problem = only_problem(result, name)
    assert problem.skipped
    assert words in problem.message
    assert len(result.entries) == len(GOOD)
    assert_others_load(result)


def test_a_duplicate_id_is_one_problem_naming_both_files(tmp_path):
    root = good_root(tmp_path)
    write(root / "zz-copy" / "again.md", page("ru", "Копия", "Другой текст.", page_id="meso"))
    result = load_entries([root])
    assert len(result.problems) == 1
    text = str(result.problems[0])
    assert "again.md" in text and "good/ru.md" in text
    assert "meso/ru" in text
    assert by_id(result)["meso/ru"].title == "Мезотерапия"  # the first one stays
    assert_others_load(result)


def test_a_too_large_file_is_skipped(tmp_path):
    root = good_root(tmp_path)
    write(root / "huge.ru.txt", "большой текст " * 100)
    result = load_entries([root], max_bytes=300)
    problem = only_problem(result, "huge.ru.txt")
    assert "too large" in problem.message
    assert_others_load(result)


def test_a_symlink_leading_outside_the_root_is_refused(tmp_path):
    root = good_root(tmp_path / "root")
    secret = write(tmp_path / "outside" / "secret.ru.md", "Секрет вне корня.")
    os.symlink(secret, root / "link.ru.md")
    result = load_entries([root])
    problem = only_problem(result, "link.ru.md")
    assert "outside" in problem.message
    assert "secret" not in " ".join(e.body for e in result.entries)
    assert_others_load(result)


def test_a_symlink_inside_the_root_is_followed(tmp_path):
    root = good_root(tmp_path)
    os.symlink(root / "good" / "note.ru.txt", root / "alias.ru.txt")
    result = load_entries([root])
    assert result.problems == []
    assert by_id(result)["alias.ru"].body == "Короткая заметка."


def test_a_symlink_loop_is_one_problem(tmp_path):
    root = good_root(tmp_path)
    os.symlink("loop.md", root / "loop.md")
    result = load_entries([root])
    only_problem(result, "loop.md")
    assert_others_load(result)


def test_a_directory_symlink_loop_does_not_hang(tmp_path):
    root = good_root(tmp_path)
    os.symlink(root, root / "good" / "back")
    result = load_entries([root])
    assert sorted(by_id(result)) == sorted(["meso/ru", "meso/it", "good/note.ru"])


def test_every_bad_file_is_reported_at_once(tmp_path):
    root = good_root(tmp_path)
    write(root / "a.md", b"")
    write(root / "b.txt", b"\x00\x01")
    write(root / "c.md", page("xx", "T", "B"))
    result = load_entries([root])
    assert sorted(Path(p.path).name for p in result.problems) == ["a.md", "b.txt", "c.md"]
    assert len(result.skipped) == 3
    assert_others_load(result)


# -- finding files ----------------------------------------------------------------------------
def test_nested_directories_are_read_at_any_depth(tmp_path):
    write(tmp_path / "a" / "b" / "c" / "d" / "e" / "f" / "deep.ru.md", "Глубоко.")
    write(tmp_path / "top.ru.md", "Сверху.")
    assert sorted(by_id(load_entries([tmp_path]))) == ["a/b/c/d/e/f/deep.ru", "top.ru"]


def test_md_markdown_and_txt_files_load_and_other_extensions_are_ignored(tmp_path):
    for name in ("one.ru.md", "two.ru.markdown", "three.ru.txt"):
        write(tmp_path / name, "Текст.")
    for name in ("four.ru.html", "five.ru.rst", "six.ru.json", "seven.ru.md.bak", "eight"):
        write(tmp_path / name, "Текст.")
    result = load_entries([tmp_path])
    assert result.problems == []
    assert sorted(by_id(result)) == ["one.ru", "three.ru", "two.ru"]


def test_several_roots_load_together(tmp_path):
    write(tmp_path / "one" / "a.ru.md", "Первый.")
    write(tmp_path / "two" / "b.it.md", "Secondo.")
    assert sorted(by_id(load_entries([tmp_path / "one", tmp_path / "two"]))) == ["a.ru", "b.it"]


def test_a_missing_root_is_a_problem_not_a_crash(tmp_path):
    write(tmp_path / "real" / "a.ru.md", "Текст.")
    result = load_entries([tmp_path / "real", tmp_path / "missing"])
    assert [e.id for e in result.entries] == ["a.ru"]
    assert len(result.problems) == 1 and "missing" in str(result.problems[0])
