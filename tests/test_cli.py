"""cli: the `kb` command line over the knowledge base (click's CliRunner, real indexes)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from core_support import DATA
from cli import main


@pytest.fixture()
def runner(monkeypatch):
    for name in ("KB_INDEX", "KB_CONTENT", "KB_CONCEPTS", "KB_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# -- kb index ---------------------------------------------------------------------------------
def test_index_exits_0_and_prints_entries_per_language(runner, tmp_path):
    result = runner.invoke(main, ["index", str(DATA), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0, result.output
    assert "el 10" in result.stdout and "it 12" in result.stdout and "ru 12" in result.stdout
    assert "34 entries" in result.stdout
    again = runner.invoke(main, ["index", str(DATA), "--index", str(tmp_path / "ix")])
    assert again.exit_code == 0
    assert "0 added" in again.stdout and "34 unchanged" in again.stdout


def test_index_exits_3_when_a_file_was_skipped_and_names_it(runner, tmp_path):
    root = tmp_path / "content"
    (root / "pages").mkdir(parents=True)
    shutil.copyfile(DATA / "pages/mesotherapy/ru.md", root / "pages" / "ru.md")
    (root / "broken.ru.txt").write_bytes(b"\x00\x01\x02 not text")
    result = runner.invoke(main, ["index", str(root), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 3
    assert "broken.ru.txt" in result.stderr
    assert "skipped" in result.stderr
    assert "1 entries" in result.stdout or "1 entry" in result.stdout


# -- kb search --------------------------------------------------------------------------------
def test_search_prints_results(runner, data_index):
    result = runner.invoke(main, ["search", "мезотерапия", "--index", str(data_index)])
    assert result.exit_code == 0, result.output
    assert "mesotherapy/ru" in result.stdout
    assert "result(s)" in result.stdout


def test_search_json_gives_the_fields_of_each_result(runner, data_index):
    result = runner.invoke(main, ["search", "ботокс", "--json", "--index", str(data_index)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["results"]
    for hit in data["results"]:
        assert {"id", "page_id", "lang", "title", "score", "snippet", "sections", "translations"} <= set(hit)
    first = next(h for h in data["results"] if h["id"] == "botulinum-treatment/ru")
    assert {t["id"] for t in first["translations"]} == {"botulinum-treatment/gr", "botulinum-treatment/it"}
    assert '"query": "ботокс"' in result.stdout  # Cyrillic stays readable, not \u escapes
    assert "\\u04" not in result.stdout


@pytest.mark.parametrize("option, value", [("--lang", "xx"), ("--in", "xx"), ("--field", "nope")])
def test_a_bad_option_exits_2_with_one_line_and_no_traceback(runner, data_index, option, value):
    result = runner.invoke(main, ["search", "мигрень", option, value, "--index", str(data_index)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert value in result.stderr
    assert len(lines(result.stderr)) == 1, result.stderr


def test_a_bad_postings_cache_setting_exits_2_naming_the_variable(runner, data_index):
    result = runner.invoke(main, ["search", "мигрень", "--index", str(data_index)],
                           env={"KB_POSTINGS_CACHE_MB": "lots"})
    assert result.exit_code == 2
    assert "KB_POSTINGS_CACHE_MB" in result.stderr and "lots" in result.stderr
    assert len(lines(result.stderr)) == 1, result.stderr


def test_search_works_with_the_postings_cache_turned_off(runner, data_index):
    cached = runner.invoke(main, ["search", "ботокс", "--json", "--index", str(data_index)])
    uncached = runner.invoke(main, ["search", "ботокс", "--json", "--index", str(data_index)],
                             env={"KB_POSTINGS_CACHE_MB": "0"})
    assert cached.exit_code == uncached.exit_code == 0
    assert uncached.stdout == cached.stdout


def test_search_without_an_index_exits_1_with_a_clear_message(runner, tmp_path):
    result = runner.invoke(main, ["search", "мигрень", "--index", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert len(lines(result.stderr)) == 1
    assert "no index" in result.stderr and "kb index" in result.stderr


def test_exit_statuses_hold_for_the_installed_command(tmp_path):
    """The real process: a bad option is status 2, a missing index 1, no traceback either way."""
    command = [sys.executable, "-c", "from cli import main; main()"]
    bad = subprocess.run(command + ["search", "x", "--lang", "xx", "--index", str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    missing = subprocess.run(command + ["search", "x", "--index", str(tmp_path / "none")],
                             capture_output=True, text=True, timeout=60)
    assert (bad.returncode, missing.returncode) == (2, 1)
    assert "Traceback" not in bad.stderr + missing.stderr


# -- kb show ----------------------------------------------------------------------------------
@pytest.mark.parametrize("entry_id", ["botulinum-treatment/gr", "botulinum-treatment/el"])
def test_show_prints_sections_and_translations(runner, data_index, entry_id):
    result = runner.invoke(main, ["show", entry_id, "--index", str(data_index)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Ειδικές θεραπείες με βοτουλινική τοξίνη" in out
    for heading in ("Treatments:", "How it works:", "Indications:", "Translations:"):
        assert heading in out
    assert "Θεραπεία της Υπεριδρωτικότητας" in out
    assert "botulinum-treatment/ru" in out and "botulinum-treatment/it" in out


def test_show_json_gives_the_entry_and_its_translations(runner, data_index):
    result = runner.invoke(main, ["show", "botulinum-treatment/it", "--json", "--index", str(data_index)])
    data = json.loads(result.stdout)
    assert data["id"] == "botulinum-treatment/it" and data["source_hash"] is None
    assert {t["id"] for t in data["translations"]} == {"botulinum-treatment/ru", "botulinum-treatment/gr"}


def test_show_an_unknown_entry_exits_1(runner, data_index):
    result = runner.invoke(main, ["show", "nothing/ru", "--index", str(data_index)])
    assert result.exit_code == 1
    assert "nothing/ru" in result.stderr


# -- kb check ---------------------------------------------------------------------------------
def test_check_reports_the_italian_seeds_missing_source_hash(runner, tmp_path):
    root = tmp_path / "content" / "botulinum-treatment"
    root.mkdir(parents=True)
    for name in ("ru.md", "gr.md", "it.md"):
        shutil.copyfile(DATA / "pages/botulinum-treatment" / name, root / name)
    result = runner.invoke(main, ["check", str(tmp_path / "content")])
    assert result.exit_code == 1
    drift = [line for line in lines(result.stdout) if line.startswith("drift:")]
    assert len(drift) == 1
    assert "botulinum-treatment/it" in drift[0] and "no source_hash" in drift[0]


def test_check_exits_3_naming_a_skipped_file(runner, tmp_path):
    (tmp_path / "ok.ru.txt").write_text("Текст.", "utf-8")
    (tmp_path / "empty.md").write_text("", "utf-8")
    result = runner.invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 3
    assert "empty.md" in result.stdout


def test_check_of_clean_content_exits_0(runner, tmp_path):
    (tmp_path / "ok.ru.txt").write_text("Текст.", "utf-8")
    result = runner.invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "1 entries" in result.stdout


# -- kb eval ----------------------------------------------------------------------------------
LABELLED = [
    {"id": "q1", "query": "мезотерапия", "lang": "ru", "kind": "consumer", "relevant": ["mesotherapy/ru"]},
    {"id": "q2", "query": "θεραπεία υπεριδρωτικότητας", "lang": "gr", "kind": "accent",
     "relevant": ["botulinum-treatment/gr"]},
    {"id": "q3", "query": "zzzyyyxxx", "lang": "it", "kind": "typo", "relevant": ["mesotherapy/it"]},
]


def test_eval_prints_the_scores_and_writes_the_run_file(runner, data_index, tmp_path):
    queries = tmp_path / "queries.jsonl"
    queries.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in LABELLED) + "\n", "utf-8")
    run_file = tmp_path / "run.jsonl"
    result = runner.invoke(main, ["eval", str(queries), "--index", str(data_index), "--run-file", str(run_file)])
    assert result.exit_code == 0, result.output
    for metric in ("MRR@10", "Recall@5", "nDCG@10"):
        assert metric in result.stdout
    overall = next(line for line in lines(result.stdout) if line.startswith("overall"))
    assert overall.split()[1:3] == ["3", "0.667"]  # two of three found first
    rows = [json.loads(line) for line in run_file.read_text("utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["q1", "q2", "q3"]
    assert rows[0]["ranking"][0] == "mesotherapy/ru"
    assert rows[1]["ranking"][0] == "botulinum-treatment/gr"
    assert rows[2]["ranking"] == []
    assert all(len(r["ranking"]) <= 10 for r in rows)


def test_eval_json_gives_scores_by_language_and_kind(runner, data_index, tmp_path):
    queries = tmp_path / "queries.jsonl"
    queries.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in LABELLED), "utf-8")
    result = runner.invoke(main, ["eval", str(queries), "--json", "--index", str(data_index)])
    scores = json.loads(result.stdout)
    assert scores["overall"]["n"] == 3
    assert set(scores["by_lang"]) == {"ru", "el", "it"}
    assert set(scores["by_kind"]) == {"consumer", "accent", "typo"}
    assert scores["per_query"] == {"q1": 1.0, "q2": 1.0, "q3": 0.0}


def test_eval_of_a_malformed_file_exits_1_naming_the_line(runner, data_index, tmp_path):
    queries = tmp_path / "queries.jsonl"
    queries.write_text(json.dumps(LABELLED[0]) + "\nnot json\n", "utf-8")
    result = runner.invoke(main, ["eval", str(queries), "--index", str(data_index)])
    assert result.exit_code == 1
    assert "queries.jsonl:2" in result.stderr
    assert "Traceback" not in result.output


def test_search_explain_prints_each_results_parts_and_factors(runner, data_index):
    result = runner.invoke(main, ["search", "μπότοξ", "--explain", "--limit", "3", "--index", str(data_index)])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("why: score") == 3
    assert "concept  μπότοξ → botulinum-toxin" in result.stdout
    assert "factor   other-language ×0.6" in result.stdout


def test_search_explain_with_json_gives_the_explanations(runner, data_index):
    result = runner.invoke(main, ["search", "гипергидрос", "--explain", "--json", "--index", str(data_index)])
    assert result.exit_code == 0, result.output
    top = json.loads(result.stdout)["results"][0]["explanation"]
    assert top["corrections"] == [{"typed": "гипергидрос", "searched": "гипергидроза"}]
