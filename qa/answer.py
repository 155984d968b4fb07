"""The grounded default answerer: no LLM, every word of an answer is a span of a retrieved passage.

1. The question is parsed (``question.analyse``): the form of answer it expects, its predicate, its core
   arguments, and the background qualifiers a passage need not repeat.
2. Every sentence of the top passages is aligned with it: the core's words (the sentence before and the headline
   count half, for pronouns and topics), the question's names, the words a follow-up inherits, and the sentence's
   meaning against the question's (cosine of MiniLM vectors, the model already loaded for retrieval).
3. In the best-aligned sentences the verb carrying the question's predicate is found (same lemma, or a verb close
   in meaning), and the short answer is taken from the role the wh-word fills (``span.find_span``).
4. Two learned scores (``learned.py``, logistic regressions fitted on the eval's dev split) pick the sentence whose
   alignment and span most likely answer, and decide between that answer and an honest refusal.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pressroom.ingest.chunking import sentence_spans
from pressroom.ingest.terms import content_terms, stem
from pressroom.qa.learned import ANSWERABILITY_FEATURES, LogisticModel, answerability_model, sentence_model
from pressroom.qa.nlp import nlp
from pressroom.qa.question import PERSON_NOUNS, Form, Question, analyse, spelled_out
from pressroom.qa.span import LABELS, Span, anchor_token, find_span, slot_empty
from pressroom.qa.types import Answer, Citation, Passage

REFUSAL = "The articles do not cover this. The nearest passages are listed below."

# Alignment weights, chosen on the dev split (`pressroom eval --split dev`): the core's words decide most, the
# sentence's meaning rescues paraphrase, the passage's rank breaks ties between near-equal sentences.
CORE_WEIGHT = 1.0
NAME_WEIGHT = 0.5
INHERITED_WEIGHT = 0.5
SIMILARITY_WEIGHT = 1.0
PASSAGE_PRIOR_WEIGHT = 0.3
NEIGHBOUR_CREDIT = 0.5  # a core word found only in the sentence before, or the headline, counts this much
# Sentences compared by meaning (one embedding batch) and parsed for a span, best lexical alignment first. On dev,
# the sentence holding the answer is among the first five by alignment for 94% of answerable questions.
SIMILARITY_CANDIDATES = 12
SPAN_CANDIDATES = 5
# Those twelve sentences and the question go in batches of this many: on 2 cores, 13 news sentences (about 34
# tokens each) embedded in 33 ms p50 / 45 ms p95 at 4, against 47 / 65 ms at the ingest's 8.
SENTENCE_BATCH = 4
# and each sentence is compared by its first this many characters: a "sentence" the splitter could not cut (a list,
# a table run together) costs the batch up to the model's 256 tokens. Over bench/query.py's 266 questions, with
# batches of 4 already, warm full ask p95 fell from 164 to 141 ms; dev answers identical.
SIMILARITY_CHARS = 400
# Forms only a short answer of their kind can answer; a why, how or what question is often answered by a sentence.
TYPED_FORMS = {Form.NUMBER, Form.DATE, Form.PERSON, Form.PLACE, Form.NAME}
# Up to this many extra sentences join an answer without a short span, if they align this well relative to the best.
EXTRA_SENTENCES = 1
EXTRA_SENTENCE_RATIO = 0.8


@dataclass
class Sentence:
    passage: Passage
    rank: int
    start: int  # offsets into the article
    end: int
    text: str
    before: str = ""  # the sentence before it in the passage, for pronoun antecedents
    before_start: int = -1  # its offset in the article

    def with_before(self) -> Sentence:
        """This sentence and the one before it, quoted together when the answer's name is in the one before."""
        text = self.passage.text[self.before_start - self.passage.start : self.end - self.passage.start]
        return Sentence(self.passage, self.rank, self.before_start, self.end, text)


@dataclass
class Candidate:
    """One sentence's alignment with the question."""

    sentence: Sentence
    core: float = 0.0
    rare_core: float = 0.0  # the same share, each core word weighted by how few of the candidate sentences hold it
    names: float = 0.0
    inherited: float = 0.0
    similarity: float = 0.0
    predicate: float = 0.0
    alignment: float = 0.0
    span: Span | None = None
    features: np.ndarray | None = None  # the sentence model's inputs (``SENTENCE_FEATURES``), once examined
    score: float = 0.0  # the sentence model's probability that this sentence holds the answer


@dataclass
class Assessment:
    """Everything the answerer concluded about one question: what the eval and calibration read."""

    question: Question
    best: Candidate | None
    candidates: list[Candidate] = field(default_factory=list)  # best aligned first
    features: np.ndarray = field(default_factory=lambda: np.zeros(len(ANSWERABILITY_FEATURES)))
    answerable: float = 0.0  # the model's probability that the passages answer the question


# A wire story's dateline: "BRENNOCK VALE, 19 August 2025 - ", "LONDON (Reuters) - ", "**DUNMERE, 3 March** - ".
_DATELINE = re.compile(r"[*_]*[A-Z][A-Z.'’ ]*[A-Z](?: ?\([^)]{1,30}\))?(?:, [^-–—\n]{1,40}?)?[*_]*\s+[-–—]+\s+(?=\S)")


def split_sentences(passage: Passage, rank: int) -> list[Sentence]:
    """The passage's sentences, a lead sentence without its dateline: the place and date where the story was filed
    are not what the sentence says, and the small parser, reading them as its subject, misparses the article's most
    telling sentence (the capitalised place tagged a person, the date run into the first words)."""
    sentences = []
    previous, previous_start = "", -1
    for s in sentence_spans(passage.text):
        dateline = _DATELINE.match(passage.text, s.start, s.end)
        body = dateline.end() if dateline else s.start
        text = passage.text[body : s.end]
        start = passage.start + body
        sentences.append(Sentence(passage, rank, start, passage.start + s.end, text, previous, previous_start))
        previous, previous_start = text, start
    return sentences


def cite(n: int, sentence: Sentence) -> Citation:
    p = sentence.passage
    return Citation(
        n=n,
        article_id=p.article_id,
        title=p.title,
        source=p.source,
        date=p.date,
        url=p.url,
        chunk_id=p.chunk_id,
        start=sentence.start,
        end=sentence.end,
        quote=sentence.text,
    )


class ExtractiveAnswerer:
    def __init__(
        self,
        refusal_threshold: float | None,
        embedder: Any | None = None,
        model: LogisticModel | None = None,
        sentences: LogisticModel | None = None,
    ) -> None:
        self.embedder = embedder
        self.model = model or answerability_model()
        self.sentences = sentences or sentence_model()
        self.refusal_threshold = self.model.threshold if refusal_threshold is None else refusal_threshold
        self._word_vectors: dict[str, np.ndarray] = {}

    def answer(self, question: str, passages: list[Passage], context: str = "") -> Answer:
        """``context`` holds words a follow-up inherits from earlier turns; they count for less than its own."""
        assessment = self.assess(question, passages, context)
        best = assessment.best
        if best is None or assessment.answerable < self.refusal_threshold:
            return Answer(REFUSAL, True, [])
        return compose(best, extra_sentences(best, assessment.candidates))

    def assess(self, question: str, passages: list[Passage], context: str = "") -> Assessment:
        analysed = analyse(nlp()(spelled_out(question)))
        if not passages:
            return Assessment(analysed, None)
        candidates = _with_role_sentence(analysed, self.align(analysed, context, passages))
        self.examine(analysed, candidates[:SPAN_CANDIDATES], context)
        head = candidates[:SPAN_CANDIDATES]
        if analysed.form in TYPED_FORMS and any(c.span for c in head):
            head = [c for c in head if c.span]  # only a sentence with an answer of the asked kind can answer
        best = max(head, key=lambda c: c.score, default=None)
        features = features_of(analysed, best, passages)
        answerable = self.model.probability(features)
        if best is not None and best.span is None and analysed.form in TYPED_FORMS:
            # A sentence without a number does not say how many: on dev, such answers to answerable questions scored
            # token F1 0.01 (9 of 341), and 8 of 113 unanswerable questions were answered this way ("What salary
            # will Okafor get?" with the sentence announcing her appointment). The regression, given this as a
            # feature, weighed it too lightly to refuse them (held-out refusals moved by one question).
            answerable = 0.0
        return Assessment(analysed, best, candidates, features, answerable)

    # --- alignment ----------------------------------------------------------------------------------

    def align(self, question: Question, context: str, passages: list[Passage]) -> list[Candidate]:
        core = question.core or question.terms
        inherited = content_terms(context) - question.terms
        top = max(p.score for p in passages) or 1.0
        sentences = _distinct([s for rank, passage in enumerate(passages) for s in split_sentences(passage, rank)])
        words_of = [content_terms(s.text) for s in sentences]
        weight = _rarity(core, words_of)
        candidates = []
        for sentence, words in zip(sentences, words_of):
            passage = sentence.passage
            nearby = (content_terms(sentence.before) | content_terms(passage.title)) - words
            c = Candidate(sentence)
            c.core = (len(core & words) + NEIGHBOUR_CREDIT * len(core & nearby)) / len(core) if core else 0.0
            if weight:
                matched = sum(weight[w] for w in core & words) + NEIGHBOUR_CREDIT * sum(
                    weight[w] for w in core & nearby
                )
                c.rare_core = matched / sum(weight.values())
            c.names = _name_share(question.names, f"{sentence.before} {sentence.text} {passage.title}")
            c.inherited = len(inherited & (words | nearby)) / len(inherited) if inherited else 0.0
            c.alignment = (
                CORE_WEIGHT * c.core
                + NAME_WEIGHT * c.names
                + INHERITED_WEIGHT * c.inherited
                + PASSAGE_PRIOR_WEIGHT * passage.score / top
            )
            candidates.append(c)
        candidates.sort(key=lambda c: -c.alignment)
        self._add_similarity(question.core_text if not context else f"{question.core_text} {context}", candidates)
        candidates.sort(key=lambda c: -c.alignment)
        return candidates

    def _add_similarity(self, text: str, candidates: list[Candidate]) -> None:
        """Meaning, for the best lexical candidates only: one embedding batch per question."""
        if self.embedder is None or not candidates:
            return
        head = candidates[:SIMILARITY_CANDIDATES]
        vectors = self.embedder.embed(
            [text] + [c.sentence.text[:SIMILARITY_CHARS] for c in head], batch_size=SENTENCE_BATCH
        )
        for c, vector in zip(head, vectors[1:]):
            c.similarity = float(vector @ vectors[0])
            c.alignment += SIMILARITY_WEIGHT * c.similarity

    def similar(self, a: str, b: str) -> float:
        """Cosine of two words' vectors (cached: a verb's vector is computed once per process)."""
        if self.embedder is None:
            return 0.0
        self._embed_words([a, b])
        return float(self._word_vectors[a] @ self._word_vectors[b])

    def _embed_words(self, words: list[str]) -> None:
        """Vectors for the words not seen yet, in one batch (a call per word cost more than the words)."""
        missing = list(dict.fromkeys(w for w in words if w not in self._word_vectors))
        if missing and self.embedder is not None:
            for word, vector in zip(missing, self.embedder.embed(missing)):
                self._word_vectors[word] = vector

    # --- the span -----------------------------------------------------------------------------------

    def examine(self, question: Question, head: list[Candidate], context: str) -> None:
        """Parse the best-aligned sentences: the verb carrying the question's predicate, the span in the asked
        role, and the sentence model's probability that each holds the answer."""
        docs = list(nlp().pipe([c.sentence.text for c in head]))
        if question.predicate:
            self._embed_words(
                [question.predicate] + [t.lemma_.lower() for doc in docs for t in doc if t.pos_ == "VERB"]
            )
        taken = {w.lower() for w in re.findall(r"\w+", f"{question.text} {context}")}
        given = _numbers(f"{question.text} {context}")
        top = max((c.sentence.passage.score for c in head), default=0.0) or 1.0
        for rank, (c, doc) in enumerate(zip(head, docs)):
            anchor = anchor_token(question, doc, self.similar)
            if anchor is not None:
                c.predicate = 1.0 if anchor.lemma_.lower() == question.predicate else 0.5
            span = find_span(question, doc, anchor, before=_parser(c.sentence.before))
            # An answer made only of the question's own words (or the earlier turns') answers nothing; nor does a
            # number the question gives ("built to handle about 30,000 patients a year ... how many did it see last
            # year?" is not answered by "around 30,000").
            numbers = _numbers(span.text) if span is not None else set()
            if (
                span is not None
                and not {w.lower() for w in re.findall(r"\w+", span.text)} <= taken
                and not (numbers and numbers <= given)
            ):
                c.span = span
                if span.in_before:
                    c.sentence = c.sentence.with_before()  # the name is quoted with the sentence it answers in
            c.features = sentence_features(question, c, rank, top, doc, anchor)
            c.score = self.sentences.probability(c.features)


def _with_role_sentence(question: Question, candidates: list[Candidate]) -> list[Candidate]:
    """ "Who is the managing director of Redmere Buses?": the sentence that names the role ("Managing director Colin
    Ashworth said ...") may not name the company, and align below five that do. The best-aligned sentence holding
    the asked role noun takes the last parsed place when none of the first holds it."""
    if question.form is not Form.PERSON or question.head_noun not in PERSON_NOUNS:
        return candidates
    role = stem(question.head_noun)

    def names_role(c: Candidate) -> bool:
        return role in content_terms(c.sentence.text)

    if any(names_role(c) for c in candidates[:SPAN_CANDIDATES]):
        return candidates
    found = next((i for i, c in enumerate(candidates) if names_role(c)), None)
    if found is None:
        return candidates
    return [*candidates[: SPAN_CANDIDATES - 1], candidates[found], *candidates[SPAN_CANDIDATES - 1 : found],
            *candidates[found + 1 :]]  # fmt: skip


def _numbers(text: str) -> set[str]:
    """The numbers a text states, as digits: "30,000" and "30000" are one number."""
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _parser(text: str) -> Callable[[], Any | None]:
    """The sentence's parse, made only if a span rule asks for it, and once however often it asks."""
    return functools.cache(lambda: nlp()(text) if text else None)


def extra_sentences(best: Candidate, candidates: list[Candidate]) -> list[Candidate]:
    """For an answer without a short span, the next sentences that align nearly as well (a "what happened"
    answer often spans two); an answer with a span stands on its one sentence."""
    if best.span is not None:
        return []
    others = [
        c
        for c in candidates
        if c is not best and c.alignment >= EXTRA_SENTENCE_RATIO * best.alignment and not _overlaps(c, best)
    ]
    return others[:EXTRA_SENTENCES]


def _overlaps(a: Candidate, b: Candidate) -> bool:
    x, y = a.sentence, b.sentence
    return x.passage.article_id == y.passage.article_id and x.start < y.end and y.start < x.end


def compose(best: Candidate, extra: list[Candidate]) -> Answer:
    """Short answer first, then the supporting sentence quoted once with its citation number."""
    chosen = [best, *extra]
    citations = [cite(n, c.sentence) for n, c in enumerate(chosen, 1)]
    body = " ".join(f"{balanced(c.sentence.text)} [{n}]" for n, c in enumerate(chosen, 1))
    short = best.span.text if best.span is not None else None
    return Answer(f"{short}: {body}" if short else body, False, citations, short=short)


def balanced(text: str) -> str:
    """A quoted sentence with its quotation marks paired: a sentence that starts inside a quotation gets its
    opening mark back, one that ends inside gets its closing mark."""
    opens, closes = text.count("“"), text.count("”")
    if closes > opens:
        text = "“" + text
    elif opens > closes:
        text += "”"
    if text.count('"') % 2:
        # A straight mark is a closing one when no letter follows it ('fine," he said'): the quote began before.
        first = text.index('"')
        closing = first + 1 >= len(text) or not text[first + 1].isalnum()
        text = '"' + text if closing else text + '"'
    return text


def _distinct(sentences: list[Sentence]) -> list[Sentence]:
    """Each sentence once, from its best-ranked passage: a story published twice (a wire story, a re-post) would
    otherwise fill the few parsed slots with copies of one sentence and push the answering one out."""
    seen: set[str] = set()
    kept = []
    for sentence in sentences:
        key = " ".join(sentence.text.lower().split())
        if key not in seen:
            seen.add(key)
            kept.append(sentence)
    return kept


def _rarity(core: set[str], sentences: list[set[str]]) -> dict[str, float]:
    """Each core word's inverse frequency among the candidate sentences: a word most of them hold (the story's
    topic) tells them apart less than one a few hold (the asked detail)."""
    n = len(sentences)
    return {w: float(np.log((n + 1) / (sum(w in s for s in sentences) + 0.5))) for w in core}


def _name_share(names: list[str], haystack: str) -> float:
    """Share of the names found (as lower-case prefixes that tolerate inflection: "Russian" finds "russia")."""
    if not names:
        return 1.0
    text = haystack.lower()
    return sum(any(part[: max(4, len(part) - 2)] in text for part in name.split()) for name in names) / len(names)


def _span_strength(span: Span | None) -> float:
    """1: a span in the asked role; 0.5: one of the expected kind found only by label or nearness; 0: none."""
    if span is None:
        return 0.0
    return 1.0 if span.by_role else 0.5


def sentence_features(
    question: Question, c: Candidate, rank: int, top: float, doc: Any, anchor: Any | None
) -> np.ndarray:
    """The sentence model's inputs, in ``SENTENCE_FEATURES`` order."""
    expects_span = question.form is not Form.OTHER
    return np.array(
        [
            min(c.core, 1.0),
            min(c.rare_core, 1.0),
            c.names,
            c.inherited,
            c.similarity,
            c.sentence.passage.score / top,
            float(c.sentence.rank),
            float(rank),
            c.predicate,
            float(c.span is not None and c.span.by_role),
            float(c.span is not None and not c.span.by_role),
            float(expects_span and c.span is None),
            float(slot_empty(question, anchor)),
            float(any(e.label_ in LABELS.get(question.form, ()) for e in doc.ents)),
            float(np.log1p(len(doc))),
        ],
        dtype=np.float64,
    )


def features_of(question: Question, best: Candidate | None, passages: list[Passage]) -> np.ndarray:
    """The answerability model's inputs, in ``ANSWERABILITY_FEATURES`` order."""
    if best is None:
        return np.zeros(len(ANSWERABILITY_FEATURES))
    # The article as far as the passages show it: a chunk boundary does not decide whether the story names "Northfork"
    # (its first chunk does, the one with the answer says "the company").
    passage = best.sentence.passage
    article_text = " ".join([passage.title] + [p.text for p in passages if p.article_id == passage.article_id])
    years_missing = bool(question.years) and not any(y in article_text for y in question.years)
    expects_span = question.form is not Form.OTHER
    values = {
        "passage_score": passages[0].score,
        "core": min(best.core, 1.0),
        "names_in_passage": _name_share(question.names, article_text),
        "background_names_in_passage": _name_share(question.qualifier_names, article_text),
        "years_missing": float(years_missing),
        "similarity": best.similarity,
        "predicate": best.predicate,
        "span_found": _span_strength(best.span) if expects_span else 1.0,
        "inherited": best.inherited,
        "core_size": float(len(question.core)),
        "sentence": best.score,
    }
    return np.array([values[name] for name in ANSWERABILITY_FEATURES], dtype=np.float64)
