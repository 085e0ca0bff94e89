"""Interface text: every message in every language, with the same placeholders."""
from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from kb.languages import LANGUAGES
from web import i18n

TEMPLATE_DIR = Path(i18n.__file__).parent / "templates"


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_exists_in_every_language(lang):
    assert set(i18n.MESSAGES[lang]) == set(i18n.MESSAGES["ru"])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders(lang):
    for key, text in i18n.MESSAGES["ru"].items():
        assert placeholders(i18n.MESSAGES[lang][key]) == placeholders(text), key


@pytest.mark.parametrize("table", ["LANGUAGE_IN", "LANGUAGE_NAME", "SECTION_NAMES",
                                   "GROUP_NAMES", "PARAM_HINTS"])
def test_every_table_covers_every_language_alike(table):
    values = getattr(i18n, table)
    assert set(values) == set(LANGUAGES)
    assert all(set(values[lang]) == set(values["ru"]) for lang in LANGUAGES)


def test_templates_only_use_messages_that_exist():
    used = set()
    for template in TEMPLATE_DIR.rglob("*.html"):
        used |= set(re.findall(r"""_\(\s*["']([a-z_]+)["']""", template.read_text("utf-8")))
    assert used
    assert used - set(i18n.MESSAGES["ru"]) == set()


def test_an_unknown_group_reads_as_its_id():
    assert i18n.group_name("it", "new-group") == "New group"
