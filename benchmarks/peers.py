"""Engines side by side on the SAME analyzed tokens: Whoosh, SQLite FTS5 (stdlib sqlite3) and
tantivy (PyPI).

The project's analyzers turn every generated entry's sections (title, treatments, mechanisms,
indications, body) into token streams once; each position keeps its first term (the Snowball
stem of the surface word), so all three engines index and are queried with identical terms and
return identical hit counts (checked). Each engine then indexes the pre-analyzed text with a
plain whitespace tokenizer, and answers the mix's queries (their analyzed terms: OR over the
sections, a phrase, one section, a language filter), top 10 by BM25. Figures: build entries/s,
size on disk, warm query p50/p95/p99, a fresh process opening the index and answering one query.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import sys
import time
from pathlib import Path

from .common import dir_size, log, median, run_with_rusage, summary_ms, workdir

SECTIONS = ("title", "treatments", "mechanisms", "indications", "body")
ENGINES = ("whoosh", "fts5", "tantivy")


# ---- the shared token streams ------------------------------------------------------------

def analyzed_corpus(content: Path, cache: Path) -> tuple[list[dict], float]:
    """[{id, lang, title: "t1 t2 ...", ...}] of every entry, and the seconds analysis took."""
    if cache.exists():
        data = json.loads(cache.read_text("utf-8"))
        return data["docs"], data["seconds"]
    from indexer.analysis import Analysis
    from indexer.documents import section_texts
    from kb.loader import load_entries

    entries = load_entries([content]).entries
    analysis = Analysis()
    started = time.perf_counter()
    docs = []
    for entry in entries:
        texts = section_texts(entry)
        doc = {"id": entry.id, "lang": entry.lang}
        for section in SECTIONS:
            positions = analysis.positions(texts.get(section) or "", entry.lang)
            doc[section] = " ".join(p[0] for p in positions)
        docs.append(doc)
    seconds = time.perf_counter() - started
    cache.write_text(json.dumps({"docs": docs, "seconds": seconds}, ensure_ascii=False), "utf-8")
    return docs, seconds


def engine_queries(mix) -> list[dict]:
    """The mix's queries as analyzed terms: {kind, terms, phrase, field, lang_filter}."""
    from indexer.analysis import Analysis
    from indexer.search.query import parse_query
    from kb.languages import detect_language

    analysis = Analysis()
    out = []
    for q in mix:
        parsed = parse_query(q.text)
        lang = q.lang or detect_language(q.text).lang or "it"
        text = " ".join((*parsed.phrases, *parsed.words))
        mode = "phrase" if parsed.phrases else "query"
        terms = [p[0] for p in analysis.positions(text, lang, mode=mode)]
        if terms:
            out.append({"kind": q.kind, "text": q.text, "terms": terms, "phrase": bool(parsed.phrases),
                        "field": q.field, "lang_filter": q.in_lang})
    return out


# ---- engines -----------------------------------------------------------------------------

class WhooshEngine:
    name = "whoosh"

    def __init__(self, path: Path):
        self.path = path

    def build(self, docs):
        from whoosh import index
        from whoosh.analysis import SpaceSeparatedTokenizer
        from whoosh.fields import ID, TEXT, Schema

        fields = {s: TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=True) for s in SECTIONS}
        schema = Schema(id=ID(stored=True, unique=True), lang=ID(stored=True), **fields)
        ix = index.create_in(str(self.path), schema)
        writer = ix.writer(limitmb=256)
        for d in docs:
            writer.add_document(**d)
        writer.commit()

    def open(self):
        from whoosh.filedb.filestore import FileStorage

        self.ix = FileStorage(str(self.path), supports_mmap=False).open_index()
        self.searcher = self.ix.searcher()

    def query(self, q):
        from whoosh import query as Q

        fields = (q["field"],) if q["field"] else SECTIONS
        if q["phrase"] and len(q["terms"]) > 1:
            sub = [Q.Phrase(f, q["terms"]) for f in fields]
        else:
            sub = [Q.Term(f, t) for f in fields for t in q["terms"]]
        query = Q.Or(sub)
        filter_q = Q.Term("lang", q["lang_filter"]) if q["lang_filter"] else None
        return query, filter_q

    def search(self, prepared):
        query, filter_q = prepared
        results = self.searcher.search(query, limit=10, filter=filter_q)
        return [hit["id"] for hit in results]

    def count(self, prepared):
        query, filter_q = prepared
        return len(self.searcher.search(query, limit=1, filter=filter_q))

    def close(self):
        self.searcher.close()


class Fts5Engine:
    name = "fts5"

    def __init__(self, path: Path):
        self.path = path
        self.db = path / "fts.sqlite"

    def build(self, docs):
        self.path.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.db)
        cols = ", ".join(SECTIONS)
        con.execute(f"CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, lang UNINDEXED, {cols}, "
                    "tokenize = 'unicode61 remove_diacritics 0')")
        con.executemany(f"INSERT INTO docs (id, lang, {cols}) VALUES (?, ?, {', '.join('?' * len(SECTIONS))})",
                        ([d["id"], d["lang"], *(d[s] for s in SECTIONS)] for d in docs))
        con.commit()
        con.close()

    def open(self):
        self.con = sqlite3.connect(self.db)

    def query(self, q):
        quoted = ['"' + t.replace('"', '""') + '"' for t in q["terms"]]
        expr = '"' + " ".join(t.replace('"', '""') for t in q["terms"]) + '"' if q["phrase"] \
            else "(" + " OR ".join(quoted) + ")"
        if q["field"]:
            expr = f"{q['field']} : {expr}"
        if q["lang_filter"]:
            return ("SELECT id FROM docs WHERE docs MATCH ? AND lang = ? ORDER BY rank LIMIT 10",
                    (expr, q["lang_filter"]))
        return "SELECT id FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10", (expr,)

    def search(self, prepared):
        sql, args = prepared
        return [row[0] for row in self.con.execute(sql, args)]

    def count(self, prepared):
        sql, args = prepared
        sql = sql.replace("SELECT id", "SELECT count(*)").replace(" ORDER BY rank LIMIT 10", "")
        return self.con.execute(sql, args).fetchone()[0]

    def close(self):
        self.con.close()


class TantivyEngine:
    name = "tantivy"

    def __init__(self, path: Path):
        self.path = path

    def _schema(self):
        import tantivy

        sb = tantivy.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("lang", stored=False, tokenizer_name="raw")
        for s in SECTIONS:
            sb.add_text_field(s, stored=False, tokenizer_name="whitespace")
        return sb.build()

    def build(self, docs):
        import tantivy

        self.path.mkdir(parents=True, exist_ok=True)
        ix = tantivy.Index(self._schema(), path=str(self.path))
        writer = ix.writer(heap_size=200_000_000, num_threads=1)
        for d in docs:
            writer.add_document(tantivy.Document(**d))
        writer.commit()
        writer.wait_merging_threads()

    def open(self):
        import tantivy

        self.schema = self._schema()
        self.ix = tantivy.Index(self.schema, path=str(self.path))
        self.searcher = self.ix.searcher()

    def query(self, q):
        import tantivy

        Query, Occur = tantivy.Query, tantivy.Occur
        fields = (q["field"],) if q["field"] else SECTIONS
        if q["phrase"] and len(q["terms"]) > 1:
            subs = [Query.phrase_query(self.schema, f, q["terms"]) for f in fields]
        else:
            subs = [Query.term_query(self.schema, f, t) for f in fields for t in q["terms"]]
        query = Query.boolean_query([(Occur.Should, s) for s in subs])
        if q["lang_filter"]:
            query = Query.boolean_query([
                (Occur.Must, query),
                (Occur.Must, Query.const_score_query(Query.term_query(self.schema, "lang", q["lang_filter"]), 0.0)),
            ])
        return query

    def search(self, prepared):
        result = self.searcher.search(prepared, 10)
        return [self.searcher.doc(addr)["id"][0] for _, addr in result.hits]

    def count(self, prepared):
        return self.searcher.search(prepared, 1, count=True).count

    def close(self):
        pass


ENGINE_CLASSES = {"whoosh": WhooshEngine, "fts5": Fts5Engine, "tantivy": TantivyEngine}

# A fresh process: open the engine's index, answer one query, print the ids.
_COLD_SCRIPT = """
import json, sys
sys.path.insert(0, {project!r})
from benchmarks.peers import ENGINE_CLASSES
from pathlib import Path
engine = ENGINE_CLASSES[{name!r}](Path({path!r}))
engine.open()
print(engine.search(engine.query(json.loads({query!r}))))
"""


def measure(content: Path, mix, runs: int, rounds: int = 3, size: int = 0) -> dict:
    base = workdir() / f"peers-{size or content.name}"
    base.mkdir(parents=True, exist_ok=True)
    log(f"peers: analyzing {content}")
    docs, analysis_seconds = analyzed_corpus(content, base / "tokens.json")
    queries = engine_queries(mix)
    out = {"entries": len(docs), "analysis_seconds": round(analysis_seconds, 2),
           "analysis_entries_per_s": round(len(docs) / analysis_seconds, 1), "engines": {}}
    counts = {}
    for name in ENGINES:
        log(f"peers: {name} at {len(docs)} entries")
        path = base / name
        builds = []
        for _ in range(max(1, min(runs, 3) if len(docs) <= 10_000 else 1)):
            shutil.rmtree(path, ignore_errors=True)
            path.mkdir(parents=True)
            engine = ENGINE_CLASSES[name](path)
            started = time.perf_counter()
            engine.build(docs)
            builds.append(time.perf_counter() - started)
        engine = ENGINE_CLASSES[name](path)
        engine.open()
        prepared = [(q, engine.query(q)) for q in queries]
        for _, p in prepared:  # warm-up
            engine.search(p)
        samples = []
        for _ in range(runs):
            for _, p in prepared:
                for _ in range(rounds):
                    started = time.perf_counter()
                    engine.search(p)
                    samples.append(time.perf_counter() - started)
        counts[name] = [engine.count(p) for _, p in prepared]
        engine.close()
        cold = []
        script = _COLD_SCRIPT.format(project=str(Path(__file__).resolve().parent.parent), name=name,
                                     path=str(path), query=json.dumps(queries[3], ensure_ascii=False))
        for _ in range(runs):
            r = run_with_rusage([sys.executable, "-c", script])
            if r["returncode"] != 0:
                raise RuntimeError(f"{name} cold query failed: {r['stderr'][-800:]}")
            cold.append((r["seconds"], r["maxrss_mib"]))
        build_s = median(builds)
        out["engines"][name] = {
            "build_seconds": round(build_s, 3),
            "entries_per_s": round(len(docs) / build_s, 1),
            "size_mib": round(dir_size(path) / 2**20, 2),
            "query": summary_ms(samples),
            "cold_query_seconds": round(median([c[0] for c in cold]), 3),
            "cold_query_maxrss_mib": median([c[1] for c in cold]),
        }
    out["hit_counts"] = {q["text"]: {name: counts[name][i] for name in ENGINES}
                         for i, q in enumerate(queries)}
    out["hit_counts_identical"] = all(len(set(v.values())) == 1 for v in out["hit_counts"].values())
    return out
