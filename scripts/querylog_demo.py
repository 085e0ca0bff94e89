"""Fill a query log with two weeks of plausible searches, for the README's `kb queries` session.

Each query is searched for real in an index (its result count and first hit are the search's
own); the days are the recorder's clock turned back, one day at a time. Not used by tests.

    .venv/bin/python scripts/querylog_demo.py INDEX_DIR LOG_FILE
"""
from __future__ import annotations

import random
import sys
from datetime import timedelta
from pathlib import Path

from indexer.search.results import SearchRequest
from indexer.search.knowledgebase import KnowledgeBase
from querylog import Recorder
from querylog.recorder import utc_today

# query as typed, its language, searches a day (mean), chance a search opens its first result
MIX = [("ботокс", "ru", 9, 0.7), ("Ботокс ", "ru", 3, 0.7), ("потливость", "ru", 5, 0.6),
       ("уколы от морщин", "ru", 4, 0.5), ("μπότοξ", "el", 4, 0.6), ("rughe", "it", 3, 0.5),
       ("filler labbra", "it", 3, 0.6), ("биоревитализация", "ru", 2, 0), ("ринопластика", "ru", 1.5, 0),
       ("коллагенстимулятор", "ru", 1, 0), ("blefaroplastica", "it", 1, 0),
       ("карбокситерапия", "ru", 1, 0), ("лазерная эпиляция", "ru", 3, 0),
       ("peeling viso", "it", 2, 0.5), ("λέιζερ αποτρίχωση", "el", 2, 0.4), ("ксеомин", "ru", 1, 0),
       ("мезонити", "ru", 0.3, 0.5)]


class Clock:
    def __init__(self, day):
        self.day = day

    def __call__(self):
        return self.day


def main(index_dir: str, log_file: str) -> None:
    kb, today, rng = KnowledgeBase.open(Path(index_dir)), utc_today(), random.Random(3)
    clock = Clock(today)
    recorder = Recorder(Path(log_file), today=clock, max_pending=100_000, flush_interval=0.05)
    results = {text: kb.search(SearchRequest(text.strip())) for text, *_ in MIX}
    for back in range(13, -1, -1):
        clock.day = today - timedelta(days=back)
        for text, lang, mean, open_chance in MIX:
            found = results[text]
            for _ in range(max(0, round(rng.gauss(mean, mean / 3)))):
                recorder.search(text, lang, found.total)
                if found.hits and rng.random() < open_chance:
                    recorder.open(text, lang, found.hits[0].id)
        recorder.flush()
    recorder.search("ботокс для Марии Ивановой 12.05.1961", "ru", 0)  # rare: never listed
    recorder.close()
    print(recorder.stats())


if __name__ == "__main__":
    main(*sys.argv[1:3])
