"""From the text a person types to a query tree (engine/queries.py).

The syntax is deliberately small: words, and "quoted phrases" («» and “” too). Everything else is
text: Whoosh operators (*, ?, field:, ~, ^, TO, brackets) are never interpreted, so no query can
expand a wildcard over the vocabulary or reach a field it should not.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.languages import LANGUAGES

from indexer.analysis import ITALIAN_WORD_PATTERN, Analysis, fold, is_cyrillic, is_greek, stop_words
from indexer.bridges import Bridge, Bridges
from indexer.concepts import ConceptMatcher
from indexer.engine import queries as Q
from indexer.ranking import DEFAULT as DEFAULT_RANKING, Ranking
from indexer.schema import SECTIONS, concepts_field, section_field, words_field

_PHRASE = re.compile(r'"([^"]*)"|«([^»]*)»|“([^”]*)”')
_WORD = re.compile(ITALIAN_WORD_PATTERN)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
MAX_WORDS = 32
MAX_PHRASE_VARIANTS = 8


@dataclass(frozen=True)
class ParsedQuery:
    words: tuple[str, ...]
    phrases: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.words and not self.phrases

    def as_words(self) -> "ParsedQuery":
        """The same query with its phrases' words as free words."""
        words = self.words + tuple(w for p in self.phrases for w in _WORD.findall(p))
        return ParsedQuery(words[:MAX_WORDS], ())


def clean(text: str) -> str:
    return _CONTROL.sub(" ", text).strip()


def parse_query(text: str) -> ParsedQuery:
    text = clean(text)
    phrases = []
    for match in _PHRASE.finditer(text):
        phrase = next(g for g in match.groups() if g is not None).strip()
        if phrase:
            phrases.append(phrase)
    rest = _PHRASE.sub(" ", text)
    words = tuple(_WORD.findall(rest))[:MAX_WORDS]
    return ParsedQuery(words, tuple(phrases))


def is_stop_word(word: str, query_lang: str | None) -> bool:
    """A stop word of the query's language, or of the language its script implies."""
    folded = fold(word)
    langs = {query_lang} if query_lang else set(word_languages(word, None))
    if is_cyrillic(word):
        langs = {"ru"}
    elif is_greek(word):
        langs = {"el"}
    return any(folded in stop_words(lang) for lang in langs if lang)


def word_languages(word: str, query_lang: str | None) -> tuple[str, ...]:
    """Cyrillic words are Russian, Greek words Greek; Latin-script words are Italian or names,
    and names are searched in every language."""
    if is_cyrillic(word):
        return ("ru",)
    if is_greek(word):
        return ("el",)
    return LANGUAGES


@dataclass
class QueryPlan:
    query: Q.Query | None
    highlight: dict[str, set[str]] = field(default_factory=dict)  # lang -> terms to mark
    concepts: tuple[str, ...] = ()
    word_terms: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # word -> lang -> terms
    bridges: dict[str, tuple[Bridge, ...]] = field(default_factory=dict)  # word -> its bridges searched
    bridge_queries: dict[str, Q.Query] = field(default_factory=dict)  # word -> its bridged terms' clause
    soft_concepts: dict[str, float] = field(default_factory=dict)  # concept -> partial match weight
    # words the query's language does not have, with their strong bridges into other languages:
    # a page reached through them is the page that exists only there
    foreign: dict[str, tuple[Bridge, ...]] = field(default_factory=dict)
    origins: dict[int, tuple[str, str]] = field(default_factory=dict)  # id(clause) -> (kind, source)

    def mark(self, clause, kind: str, source: str):
        """Name what a clause of the query is (an explanation's contribution kind, and what in
        the query it came from); returns the clause. Any node may be marked, a single Term among
        a word's alternatives too: a leaf is reported under its nearest marked node. Kinds: word,
        phrase, concept; learned bridges mark theirs "bridge"."""
        if clause is not None:
            self.origins[id(clause)] = (kind, source)
        return clause


class QueryBuilder:
    """Query plans weighed by ``ranking`` (indexer/ranking.py: every boost and tiebreak)."""

    def __init__(self, analysis: Analysis, matcher: ConceptMatcher | None, bridges: Bridges | None = None,
                 ranking: Ranking = DEFAULT_RANKING):
        self.analysis = analysis
        self.matcher = matcher
        self.bridges = bridges
        self.ranking = ranking

    def build(self, parsed: ParsedQuery, query_lang: str | None, section: str | None) -> QueryPlan:
        sections = (section,) if section else SECTIONS
        plan = QueryPlan(None, {lang: set() for lang in LANGUAGES})
        should = [plan.mark(self._word_query(w, query_lang, sections, plan), "word", w) for w in parsed.words]
        phrase_queries = [plan.mark(self._phrase_query(p, query_lang, sections, plan), "phrase", p)
                          for p in parsed.phrases]
        plan.concepts = self._concepts(parsed, query_lang)
        # a word that is a concept's term is not foreign: the concept reaches the pages of the
        # query's language that name it, which are then the answer (no other page exempt)
        plan.foreign = {w: b for w, b in plan.foreign.items() if not self.names_concept(w, plan)}
        should.extend(self._concept_queries(plan.concepts, section, plan))
        plan.soft_concepts = self._soft_concepts(parsed, plan.concepts)
        should.extend(self._soft_concept_queries(plan.soft_concepts, section, plan))
        should = [q for q in should if q is not None]
        phrase_queries = [q for q in phrase_queries if q is not None]
        # no coordination bonus (Or's scale): measured lower on the real Russian set (0.795 -> 0.765)
        optional = Q.Or(should) if len(should) > 1 else (should[0] if should else None)
        if phrase_queries:
            required = Q.And(phrase_queries) if len(phrase_queries) > 1 else phrase_queries[0]
            plan.query = Q.AndMaybe(required, optional) if optional is not None else required
        else:
            plan.query = optional
        return plan

    def _word_query(self, word, query_lang, sections, plan):
        alternatives = []
        plan.word_terms[word] = {}
        if is_stop_word(word, query_lang) or (word.isdigit() and len(word) == 1):
            return None
        boosts = self.ranking.section_boosts
        for lang in word_languages(word, query_lang):
            terms = self.analysis.word_terms(word, lang, mode="query")
            plan.word_terms[word][lang] = terms
            plan.highlight[lang].update(terms)
            for term in terms:
                for s in sections:
                    alternatives.append(Q.Term(section_field(s, lang), term, boost=boosts[s]))
        alternatives.extend(self._bridge_alternatives(word, query_lang, sections, plan))
        if not alternatives:
            return None
        matched = Q.DisjunctionMax(alternatives, tiebreak=self.ranking.word_tiebreak)
        if self.ranking.exact_boost <= 0:
            return matched
        # the very word as typed (folded, unstemmed) counts a little extra
        exact = [Q.Term(words_field(lang), fold(word), boost=self.ranking.exact_boost)
                 for lang in plan.word_terms[word] if plan.word_terms[word][lang]]
        return Q.Or([matched, *exact])

    def _bridge_alternatives(self, word, query_lang, sections, plan) -> list[Q.Query]:
        """The word's learned bridges as alternatives of the word (a word matched by itself or
        by a bridge counts once), each weighed by its confidence."""
        if self.bridges is None:
            return []
        weights, boosts = self.ranking.bridges, self.ranking.section_boosts
        bridges = tuple(self.bridges.expand(word, plan.word_terms[word], query_lang, weights))
        plan.bridges[word] = bridges
        if query_lang and self.bridges.unknown(query_lang, plan.word_terms[word].get(query_lang, ())):
            strong = tuple(b for b in bridges if b.lang != query_lang and b.confidence >= weights.strong)
            if strong and not any(b.lang == query_lang and b.confidence >= weights.strong for b in bridges):
                plan.foreign[word] = strong
        out = []
        for b in bridges:
            weight = b.confidence * (weights.own_language if b.lang == query_lang and b.kind == "gloss" else 1.0)
            plan.highlight[b.lang].add(b.term)
            source = f"{word} → {b.term} ({b.lang}, {b.kind}, confidence {b.confidence:.2f})"
            for s in sections:  # each marked: an explanation names the bridge, not the word
                out.append(plan.mark(Q.Term(section_field(s, b.lang), b.term,
                                            boost=boosts[s] * weight), "bridge", source))
        if out:  # the bridges' own contribution (bridges.bridge_scores)
            plan.bridge_queries[word] = Q.DisjunctionMax(out, tiebreak=self.ranking.word_tiebreak)
        return out

    def names_concept(self, word: str, plan: QueryPlan) -> bool:
        """Is ``word`` (its analysed terms in some language) a term of one of the plan's concepts?"""
        return any(t in self.matcher.terms(c, lang) for lang, terms in plan.word_terms.get(word, {}).items()
                   for c in plan.concepts for t in terms)

    def _soft_concepts(self, parsed: ParsedQuery, full: tuple[str, ...]) -> dict[str, float]:
        if self.matcher is None or self.bridges is None:
            return {}
        text = " ".join((*parsed.phrases, " ".join(parsed.words)))
        found: dict[str, float] = {}
        for lang in LANGUAGES:
            # a word a whole concept already names is read as that concept, not also as part
            # of another ("мезотерапия" is mesotherapy, not a piece of "фракционная мезотерапия")
            named = {t for c in full for t in self.matcher.terms(c, lang)}
            positions = [p for p in self.analysis.positions(text, lang) if named.isdisjoint(p)]
            soft = self.matcher.soft_match(positions, lang, self.bridges.specificity, set(full))
            for concept_id, weight in soft.items():
                found[concept_id] = max(found.get(concept_id, 0.0), weight)
        return dict(sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[:self.ranking.soft_max])

    def _soft_concept_queries(self, soft: dict[str, float], section, plan):
        for concept_id in soft:  # marked where the page names it, as a whole concept is
            for lang in LANGUAGES:
                plan.highlight[lang].update(self.matcher.terms(concept_id, lang))
        fieldname = "concepts" if section is None else concepts_field(section)
        return [plan.mark(Q.Term(fieldname, c, boost=self.ranking.concept_boost * w), "soft concept",
                          f"{c} (its distinctive words, weight {w:.2f})") for c, w in soft.items()]

    def _phrase_query(self, phrase, query_lang, sections, plan):
        langs = {l for w in _WORD.findall(phrase) for l in word_languages(w, query_lang)}
        if query_lang in langs:  # a phrase in the query's language is not also a name elsewhere
            langs = {query_lang} | {l for l in langs if all(not is_cyrillic(w) and not is_greek(w)
                                                           for w in _WORD.findall(phrase))}
        variants, boosts = [], self.ranking.section_boosts
        for lang in sorted(langs):
            positions = self.analysis.positions(phrase, lang, mode="phrase")
            if not positions:
                continue
            plan.highlight[lang].update(t for p in positions for t in p)
            for words in _combinations(positions):
                for s in sections:
                    fieldname = section_field(s, lang)
                    if len(words) == 1:
                        variants.append(Q.Term(fieldname, words[0], boost=boosts[s]))
                    else:
                        variants.append(Q.Phrase(fieldname, list(words), boost=boosts[s]))
        if not variants:
            return None
        return Q.DisjunctionMax(variants, tiebreak=self.ranking.word_tiebreak)

    def _concepts(self, parsed: ParsedQuery, query_lang) -> tuple[str, ...]:
        if self.matcher is None:
            return ()
        text = " ".join((*parsed.phrases, " ".join(parsed.words)))
        found: dict[str, int] = {}
        for lang in LANGUAGES:
            for concept_id, count in self.matcher.match(self.analysis.positions(text, lang), lang).items():
                found[concept_id] = found.get(concept_id, 0) + count
        return tuple(sorted(found, key=lambda c: -found[c]))

    def _concept_queries(self, concepts, section, plan):
        for concept_id in concepts:
            for lang in LANGUAGES:
                plan.highlight[lang].update(self.matcher.terms(concept_id, lang))
        # restricted to one section: the concepts the index found in that section
        fieldname = "concepts" if section is None else concepts_field(section)
        return [plan.mark(Q.Term(fieldname, c, boost=self.ranking.concept_boost), "concept", c)
                for c in concepts]


def _combinations(positions: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    combos: list[tuple[str, ...]] = [()]
    for alternatives in positions:
        combos = [c + (a,) for c in combos for a in alternatives][:MAX_PHRASE_VARIANTS]
    return combos
