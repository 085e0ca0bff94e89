"""The README and the `kb` command agree (in the spirit of sqlite-utils' tests/test_docs.py).

Every command and every option of the click group in cli/main.py is in the README's code blocks,
and every line of those blocks that starts with ``kb `` is a command click accepts: a synopsis
(``kb search QUERY [--lang L] ...``) with each placeholder given a sample value of its
parameter's type, an example as written. The cheap examples are run, against a temporary index
of data/.
"""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli.main import main
from indexer.build.builder import build_index
from kb.config import PROJECT_DIR, Settings
from kb.markdown import block_tokens

README = PROJECT_DIR / "README.md"
DATA = PROJECT_DIR / "data"
RUN = {"index", "search", "show", "check"}  # cheap and harmless on a temporary index
PLACEHOLDER = re.compile(r"^[A-Z][A-Z0-9_]*(\.\.\.|\.[a-z]+)?$")  # QUERY, ROOT..., QUERIES.jsonl


def commands(group: click.Group = main, path: tuple[str, ...] = ()):
    """(path, command) of every command, subcommands of groups included."""
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))
        else:
            yield (*path, name), command


COMMANDS = dict(commands())


def readme_kb_lines() -> list[str]:
    """The lines of the README's code blocks that are `kb` commands, comments dropped."""
    blocks = [t.content for t in block_tokens(README.read_text("utf-8"))
              if t.type in ("code_block", "fence")]
    lines = (line.strip() for block in blocks for line in block.split("\n"))
    return [line for line in lines if line.startswith("kb ")]


LINES = readme_kb_lines()


def words(line: str) -> list[str]:
    """The line's arguments after ``kb``; a synopsis's brackets taken away."""
    if "[" in line:
        line = line.replace("[", " ").replace("]", " ")
    return shlex.split(line, comments=True)[1:]


def command_of(args: list[str]) -> tuple[tuple[str, ...], list[str]]:
    """The command path the arguments name, and the arguments left for it."""
    group, path = main, []
    while isinstance(group, click.Group):
        assert args and args[0] in group.commands, f"no command {' '.join(['kb', *path, *args[:1]])}"
        path.append(args[0])
        group, args = group.commands[args[0]], args[1:]
    return tuple(path), args


def lines_of(path: tuple[str, ...]) -> list[str]:
    return [line for line in LINES if tuple(words(line)[:len(path)]) == path]


def long_options(command: click.Command) -> list[str]:
    return [opt for param in command.params if isinstance(param, click.Option)
            for opt in param.opts if opt.startswith("--") and opt != "--help"]


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """Values for placeholders: an index of data/, a labelled-queries file, a run file path."""
    folder = tmp_path_factory.mktemp("docs")
    build_index(Settings(index_dir=folder / "index", content_roots=(DATA,)))
    queries = folder / "queries.jsonl"
    queries.write_text('{"id": "q1", "query": "ботокс", "lang": "ru", "relevant": '
                       '["botulinum-treatment/ru"]}\n', "utf-8")
    return {"index": folder / "index", "file": queries, "out": folder / "out.jsonl"}


def sample(param: click.Parameter, samples: dict) -> str:
    """A value click accepts for the parameter, from its type."""
    kind = param.type
    if isinstance(kind, click.Choice):
        return str(kind.choices[0])
    if isinstance(kind, (click.IntRange, click.FloatRange)):
        return str(kind.min if kind.min is not None else 1)
    if isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):
        return "1"
    if isinstance(kind, click.Path):
        if not kind.file_okay:
            return str(samples["index"])
        if not kind.dir_okay:
            return str(samples["file"] if kind.exists else samples["out"])
        return str(DATA)
    return "ru"  # a text: a language code is also a query, an id, a host name


def concrete(line: str, samples: dict) -> list[str]:
    """The synopsis with every placeholder replaced by a sample of its parameter."""
    path, tokens = command_of(words(line))
    command = COMMANDS[path]
    options = {opt: p for p in command.params if isinstance(p, click.Option) for opt in p.opts}
    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    args, option = list(path), None
    for token in tokens:
        if token in options:
            option = None if options[token].is_flag else options[token]
            args.append(token)
        elif PLACEHOLDER.match(token):
            assert option or arguments, f"kb {' '.join(path)}: {token} is no option's or argument's"
            param = option or arguments.pop(0)
            args.append(sample(param, samples))
            option = None
        else:
            args.append(token)
    return args


def test_the_readme_has_kb_command_lines():
    assert len(LINES) >= len(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_is_in_the_readme(path):
    assert lines_of(path), f"README: no code line starts with kb {' '.join(path)}"


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_option_is_in_the_readme_with_its_command(path):
    shown = {word for line in lines_of(path) for word in words(line)}
    missing = [opt for opt in long_options(COMMANDS[path]) if opt not in shown]
    assert not missing, f"README: kb {' '.join(path)} without {', '.join(missing)}"


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help_text(path):
    assert COMMANDS[path].get_short_help_str().strip()


def is_synopsis(line: str) -> bool:
    return "[" in line or any(PLACEHOLDER.match(w) for w in words(line))


def parse(line: str, samples: dict) -> click.Context:
    """The line parsed by click as `kb` would (its options' callbacks and types included)."""
    path, rest = command_of(concrete(line, samples) if is_synopsis(line) else words(line))
    return COMMANDS[path].make_context(" ".join(["kb", *path]), rest)


def shown(lines: list[str]) -> list[str]:
    return [" ".join(["kb", *words(line)]) for line in lines]


@pytest.mark.parametrize("line", LINES, ids=shown(LINES))
def test_every_readme_command_parses(line, samples):
    parse(line, samples)


@pytest.mark.parametrize("line", ["kb search QUERY [--nope N]", "kb search --limit 0 botox",
                                  "kb serch botox", "kb show"])
def test_a_line_click_would_refuse_fails_the_check(line, samples):
    with pytest.raises((click.UsageError, AssertionError)):
        parse(line, samples)


def names_a_host_path(line: str) -> bool:
    """A deployment example (``kb index /srv/kb-content``): parsed, not run here."""
    return any(w.startswith("/") for w in words(line))


EXAMPLES = [line for line in LINES
            if words(line)[0] in RUN and not is_synopsis(line) and not names_a_host_path(line)]


@pytest.mark.parametrize("line", EXAMPLES, ids=shown(EXAMPLES))
def test_every_cheap_readme_example_runs(line, samples):
    env = {"KB_INDEX": str(samples["index"]), "KB_CONTENT": None, "KB_CONCEPTS": None}
    result = CliRunner(env=env).invoke(main, words(line))
    assert result.exit_code == 0, result.output
    assert result.output.strip()
