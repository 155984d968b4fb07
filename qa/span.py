"""The short answer inside an aligned sentence, taken by syntactic role rather than by entity label alone.

"Who approved the mine?" is answered by the subject of the verb that carries "approved" ("the regional planning
board"), "what did the board approve?" by its object, "when" by a date on that verb, "why" by the causal clause
("because the cables had corroded"), "how" by its "by ..." phrase, "how many" by a number with its unit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from pressroom.ingest.terms import content_terms, stem
from pressroom.qa.question import MEASURE_NOUNS, PERSON_NOUNS, YEAR, Form, Question

# Rules that find a span of the right kind without knowing it fills the asked role.
WEAK_RULES = {"entity", "nearest phrase", "bare number", "place phrase nearby"}
# Entity labels (spaCy's OntoNotes scheme) that can fill each form, most likely first.
LABELS: dict[Form, tuple[str, ...]] = {
    Form.PERSON: ("PERSON", "ORG"),
    Form.THING: ("ORG", "PRODUCT", "EVENT", "LAW", "WORK_OF_ART", "FAC", "GPE", "PERSON", "NORP"),
    Form.DATE: ("DATE", "TIME"),
    Form.PLACE: ("GPE", "LOC", "FAC", "ORG"),
    Form.NAME: ("PERSON", "ORG", "GPE", "LOC", "FAC", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW"),
    Form.NUMBER: ("CARDINAL", "QUANTITY", "MONEY", "PERCENT", "DATE", "TIME"),
}
# "How long" asks for a duration, "how much" for money or an amount: their labels, most likely first.
NUMBER_LABELS: dict[str, tuple[str, ...]] = {
    "how long": ("DATE", "TIME", "QUANTITY", "CARDINAL"),  # a duration; "how long is X" is a length, below
    "how much": ("MONEY", "QUANTITY", "PERCENT", "CARDINAL"),
    "how old": ("DATE", "CARDINAL"),
    "how soon": ("DATE", "TIME"),
    "how often": ("DATE", "TIME", "CARDINAL"),
}
_SUBJECTS = {"nsubj", "nsubjpass", "csubj"}
_OBJECTS = {"dobj", "obj", "attr", "oprd", "dative"}
# Words that open a cause, the least ambiguous first: "because" always gives a reason, "after" and "as" often do.
# Nouns after "which" that ask for an organisation: a name the tagger calls ORG answers them.
_ORG_NOUNS = {
    "agency", "body", "company", "group", "organisation", "organization", "party", "museum", "mint", "bank", "club",
    "team", "firm", "newspaper", "broadcaster", "university", "union", "charity", "ministry", "department",
    "committee", "council", "court", "airline", "carrier", "network", "channel", "outlet", "institution",
}  # fmt: skip
_CAUSE_MARKERS = ("because", "due", "owing", "amid", "after", "following", "since", "as")
# Causal and purpose connectives of more than one word, as unambiguous as "because": ranked with it.
_CAUSE_PHRASES = re.compile(
    r"(?i)\b(?:thanks to|for fear|out of fear|in an? (?:\w+ )?bid to|in (?:an )?(?:attempt|effort|order) to|"
    r"so as to|so that|in case|as a result of|in response to|on the grounds that|citing|blaming)\b"
)
# Verbs whose subject is a cause: "X led to", "X caused", "X forced the council to".
_CAUSING_VERBS = {"lead", "cause", "prompt", "force", "trigger", "spark", "drive", "result", "mean", "allow", "enable"}
_MANNER_MARKERS = {"by", "through", "using", "via", "with"}
# Verbs whose "from" phrase says how: what a thing was chosen, drawn or made from.
_MADE_FROM = {"choose", "pick", "select", "draw", "take", "make", "derive", "produce", "brew", "build", "distil"}
# Verbs of regarding or describing: "how did she describe it?" is answered by "described it as ...".
_REGARDING = {
    "describe", "see", "view", "regard", "interpret", "read", "call", "characterise", "characterize", "label",
    "brand", "dub", "portray", "consider", "treat", "hail", "denounce", "dismiss", "depict", "frame", "rate",
}  # fmt: skip
# Verbs whose "what" is a name given ("what did she call them?") or words said ("what did he say?").
_NAMING = {"call", "dub", "name", "label", "brand", "term", "nickname"}
_SAYING = {"say", "tell", "warn", "claim", "insist", "add", "admit", "argue", "write", "tweet"}
# In every case: "who agreed the deal?" is not answered by "them" in "when I interviewed them".
_PRONOUNS = {
    "he", "she", "it", "they", "this", "that", "which", "who", "we", "i", "you", "these", "those", "him", "her", "them",
    "us", "me", "whom", "himself", "herself", "itself", "themselves",
}  # fmt: skip
# A clause answer runs to at least this many tokens before a comma may end it ("because, he said, ...").
MIN_CLAUSE_TOKENS = 3
# Longest short answer in tokens: past this a "phrase" is a clause that a reader would rather see as a quote.
MAX_SPAN_TOKENS = 16


@dataclass
class Span:
    text: str
    start: int  # character offsets in the sentence
    end: int
    how: str  # which rule found it: subject, object, date, cause, ... (for the eval's error analysis)
    in_before: bool = False  # a pronoun's antecedent, found in the sentence before: offsets are in that sentence

    @property
    def by_role(self) -> bool:
        """Found in the role the question's wh-word fills, not only by its label or by nearness."""
        return self.how not in WEAK_RULES


def find_span(
    question: Question, doc: Any, anchor: Any | None, before: Callable[[], Any | None] | None = None
) -> Span | None:
    """The answer to ``question`` in the sentence ``doc``, around ``anchor`` (the token aligned with the question's
    predicate, or None), or None when the sentence holds nothing of the expected form. ``before`` parses the
    sentence before, where a pronoun in the asked role finds its antecedent (called only then)."""
    if question.form is Form.PERSON:
        span = _who_or_what(question, doc, anchor, before)
        if span is None or span.in_before:
            return span
        if not _someone(doc, span) or _another_role(question, doc, span):
            return None
        return _name_only(span, doc)
    if question.form is Form.THING:
        span = _who_or_what(question, doc, anchor, before)
        # "What problem forced the line to close?" asks for a cause, which a sentence may give as a clause ("closed
        # after engineers found cracks in two girders") rather than as the subject of a causing verb.
        if (
            question.predicate in _CAUSING_VERBS | _CAUSATION
            and question.slot in _SUBJECTS
            and not (span and span.by_role)
        ):
            return _cause(question, doc, anchor) or span
        return span
    if question.form is Form.NAME:
        # A name in the asked role, not a description ("a plastic boat" names no smuggler) nor a name that merely
        # stands nearby ("Ayvalik", where the boat set off).
        span = _who_or_what(question, doc, anchor, before)
        return span if span is not None and span.by_role and not span.in_before and _named(doc, span) else None
    finder = _FINDERS.get(question.form)
    return finder(question, doc, anchor) if finder else None


def _someone(doc: Any, span: Span) -> bool:
    """A "who" answer names someone: a name, or a phrase headed by a person or a body ("the regional planning
    board", "opponents"), not "a car wash in Dunmore Street"."""
    tokens = _tokens(doc, span)
    if any(t.ent_type_ in {"PERSON", "ORG", "NORP"} for t in tokens):
        return True
    heads = _heads(tokens)  # "wash" in "a car wash in Dunmore Street"
    return any(t.pos_ in {"PROPN", "PRON"} or t.lemma_.lower() in PERSON_NOUNS | _ORG_NOUNS | _BODIES for t in heads)


def _another_role(question: Question, doc: Any, span: Span) -> bool:
    """ "Who is the chair of the trust?" is not answered by "treasurer of the trust": a phrase naming nobody, headed by
    another role than the asked one."""
    if question.head_noun not in PERSON_NOUNS or _named_person(doc, span):
        return False
    heads = _heads(_tokens(doc, span))
    return any(t.lemma_.lower() in PERSON_NOUNS and t.lemma_.lower() != question.head_noun for t in heads)


def _heads(tokens: list[Any]) -> list[Any]:
    """The tokens of a phrase whose head lies outside it: its head word(s)."""
    return [t for t in tokens if t.head not in tokens or t.head == t]


def _named_person(doc: Any, span: Span) -> bool:
    return any(t.ent_type_ == "PERSON" for t in _tokens(doc, span))


# Nouns for groups of people that answer "who" without a name (beside PERSON_NOUNS and _ORG_NOUNS).
_BODIES = {
    "board", "panel", "jury", "government", "police", "authority", "opponent", "critic", "supporter", "protester",
    "voter", "parent", "family", "investigator", "administration", "cabinet", "parliament", "assembly", "senate",
    "congress", "regulator", "staff", "crew", "team", "troop", "soldier", "force", "army", "navy", "rebel",
    "militant", "fighter", "group", "people",
}  # fmt: skip


def _name_only(span: Span, doc: Any) -> Span:
    """A person is answered by their name: "Russian President Vladimir Putin" -> "Vladimir Putin". The title and
    role stay in the quoted sentence; a phrase naming several people ("Lady Justice Amadi and Lord Justice
    Carrick") stays whole."""
    base = doc[0].idx
    names = [
        e
        for e in doc.ents
        if e.label_ == "PERSON" and e.start_char - base >= span.start and e.end_char - base <= span.end
    ]
    if len(names) != 1:
        return span
    return _entity_span(doc, names[0], span.how)


def _named(doc: Any, span: Span) -> bool:
    """A name, not a count of what the question asks to be named ("One firefighter")."""
    return any(t.pos_ == "PROPN" or t.ent_type_ in LABELS[Form.NAME] for t in _tokens(doc, span))


def _tokens(doc: Any, span: Span) -> list[Any]:
    """The tokens of ``doc`` that start inside ``span``."""
    base = doc[0].idx
    return [t for t in doc if span.start <= t.idx - base < span.end]


def slot_empty(question: Question, anchor: Any | None) -> bool:
    """The sentence has the asked event but not the asked participant: "who announced the pullout?" against "the
    pullout was announced" (a passive with no "by ..."), or "what did they approve?" against a verb with no object."""
    if anchor is None or anchor.pos_ == "NOUN":
        return False  # a role or event noun has no subject or object to be missing
    deps = {c.dep_ for c in anchor.children}
    if question.slot in _SUBJECTS:
        passive = "auxpass" in deps or "nsubjpass" in deps
        if question.slot == "nsubjpass":  # "who was cleared?": the one the verb is about
            return not deps & ({"nsubjpass"} if passive else _OBJECTS)
        return "agent" not in deps if passive else not deps & _SUBJECTS
    if question.slot in _OBJECTS:
        return not deps & (_OBJECTS | {"nsubjpass", "ccomp", "xcomp"})
    return False


def anchor_token(question: Question, doc: Any, similar: Callable[[str, str], float]) -> Any | None:
    """The sentence's token for the question's predicate: the same lemma, else the verb most similar in meaning
    (``similar`` compares two words with the embedding model), else None."""
    if not question.predicate:
        return None
    for token in doc:
        if token.lemma_.lower() == question.predicate:
            return token
    verbs = [t for t in doc if t.pos_ == "VERB"]
    # "What caused the fire?" against "was started by a barbecue": verbs of causing are one predicate, though their
    # vectors are far apart (cause/start and start/spark score about 0.35).
    if question.predicate in _CAUSATION:
        causing = [t for t in verbs if t.lemma_.lower() in _CAUSATION]
        if causing:
            return causing[0]
    scored = [(similar(question.predicate, t.lemma_.lower()), t) for t in verbs]
    best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
    return best[1] if best[0] >= SOFT_PREDICATE_MATCH else None


_CAUSATION = {"cause", "start", "spark", "trigger", "ignite"}
# Cosine between two verbs' MiniLM vectors above which they count as the same predicate. Set by hand, then checked
# on a few lemma pairs with the packaged model: detain/arrest 0.60, quit/resign 0.65, close/shut 0.59 and
# find/discover 0.61 pass; say/approve 0.33, announce/order 0.40 and run/lead 0.36 do not. Not swept on the eval.
SOFT_PREDICATE_MATCH = 0.55


def _phrase(doc: Any, head: Any, how: str, asked: set[str] | None = None, to_head: bool = False) -> Span | None:
    """The noun phrase under ``head`` (its subtree, without a trailing relative clause or punctuation; ending at
    ``head`` when ``to_head``); None when it says only what the question (``asked``, lower-case words) already
    says."""
    tokens = [t for t in head.subtree if not (t.dep_ in {"relcl", "acl", "punct", "appos"} and t.i > head.i)]
    if not tokens:
        return None
    left, right = tokens[0].i, head.i if to_head else tokens[-1].i
    # Drop everything from a relative clause or apposition on: "the board, which met on Tuesday" -> "the board".
    for t in head.subtree:
        if t.i > head.i and t.dep_ in {"relcl", "acl", "appos"}:
            right = min(right, t.left_edge.i - 1)
    while right > left and doc[right].is_punct:
        right -= 1
    while left < right and doc[left].is_punct:
        left += 1  # an opening quotation mark whose closing one the phrase does not reach
    if right - left + 1 > MAX_SPAN_TOKENS or (doc[left].lower_ in _PRONOUNS and left == right):
        return None
    span = doc[left : right + 1]
    if asked is not None and content_terms(span.text) <= asked:
        return None
    return _words(doc, span, how)


def _clause_from(doc: Any, first: Any, last_index: int, how: str, words_end: int | None = None) -> Span | None:
    """The clause from ``first`` to ``last_index``, ended early at what only elaborates it: a comma after its
    first few words ("by raising council tax, by drawing ..."), a relative clause ("a jet that was en route").
    A marker of several words (``first`` to ``words_end``: "in a bid to") is not elaborated by what follows it."""
    words_end = first.i if words_end is None else words_end
    for t in doc[words_end + 1 : last_index + 1]:
        # "by raising X and by creating Y": the first means answers; the next one starts at "and by".
        if t.dep_ == "cc" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == first.lower_:
            last_index = t.i - 1
            break
        # A comma that only separates the items of a list ("growing wealth, increasing incomes and rising
        # awareness") or a participle describing the cause ("damage sustained to its spillways") does not end it.
        after = doc[t.i + 1] if t.i + 1 < len(doc) else None
        listing = t.text == "," and after is not None and "conj" in {after.dep_, after.head.dep_}
        # A relative clause or an apposition before the verb of a "because ..." clause describes its subject
        # ("because the systems that control treatment works are kept apart", "after the older vessel, the MV
        # Curlew, failed an inspection"): the clause goes on to its verb.
        in_subject = first.dep_ == "mark" and t.i < first.head.i
        if (t.text in {",", ";"} and t.i - first.i > MIN_CLAUSE_TOKENS and not listing and not in_subject) or (
            t.dep_ in {"relcl", "acl"}
            and t.head.i > words_end
            and not (t.dep_ == "acl" and t.tag_ == "VBN")
            and not in_subject
        ):
            last_index = (t.left_edge.i if t.dep_ in {"relcl", "acl"} else t.i) - 1
            break
    while last_index > first.i and (doc[last_index].is_punct or doc[last_index].dep_ in {"cc", "mark"}):
        last_index -= 1
    if last_index - first.i + 1 > MAX_SPAN_TOKENS + 4:
        last_index = first.i + MAX_SPAN_TOKENS + 3
    return _words(doc, doc[first.i : last_index + 1], how)


def _entity(question: Question, doc: Any, anchor: Any | None, how: str, must: Callable[[Any], bool] | None = None
            ) -> Span | None:  # fmt: skip
    """The entity of an expected label: attached to the anchor's subtree first, then nearest to the anchor."""
    labels = ()
    if question.form is Form.NUMBER:
        labels = NUMBER_LABELS.get(question.wh or "", ()) or MEASURE_NOUNS.get(question.head_noun or "", ())
    if _asks_length(question):
        labels = ("QUANTITY", "CARDINAL")
    if question.wh == "how many" and question.head_noun and question.head_noun not in _UNIT_LEMMAS:
        labels = ("CARDINAL",)  # "how many children": a count, not a date, a sum, a share or a measure
    labels = labels or LABELS.get(question.form, ())
    asked = _asked(question)
    # A year as a point in time ("in 2016"), not one naming a thing ("the 2026 World Cup").
    timed = question.form is Form.NUMBER
    years = [t for t in doc if timed and t.text in question.years and t.dep_ == "pobj"]
    # The question's names in the sentence, for an amount said of them (amounts only, below).
    name_words = {w for name in question.names for w in name.split()} if timed else set()
    named = {t.i for t in doc if t.lower_ in name_words and not t.is_stop}
    candidates = []
    for ent in doc.ents:
        if ent.label_ not in labels or content_terms(ent.text) <= asked:
            continue
        # "Whose seat would Gorsuch fill?" is not answered by "Neil Gorsuch": a person the question names by surname.
        if ent.label_ == "PERSON" and _names_asked(ent.root, asked):
            continue
        if must is not None and not must(ent):
            continue
        under = anchor is not None and any(t.head == anchor or t.head.head == anchor for t in ent)
        # "How many incidents were there in 2016?" against "rose from 10,793 in 2015 to 14,295 in 2016": nearest the
        # asked year when the sentence has it, before anything else.
        year_gap = abs(ent.root.i - years[0].i) if years else 0
        distance = abs(ent.root.i - anchor.i) if anchor is not None else 0
        # "How many hospitals?" against "3,966 hospitals ... with 452,000 practitioners": the count of the asked
        # noun, wherever it stands.
        counts_asked = question.wh == "how many" and any(
            t.head.lemma_.lower() == question.head_noun and t.dep_ in {"nummod", "quantmod"} for t in ent
        )
        of_asked = counts_asked or (timed and _measures(ent.root, question.head_noun))
        # (Amounts only: "Built in 1959, the museum received the designation last summer" has the museum as the
        # subject of the later date's clause, and the participle's subject is unsaid.)
        of_name = timed and _said_of(ent.root, named)
        candidates.append((year_gap, not of_asked, not under, not of_name, labels.index(ent.label_), distance, ent))
    if not candidates:
        return None
    ent = min(candidates, key=lambda c: c[:6])[6]
    # "will last 48 hours": the small tagger's DATE can take in the question's own verb; the answer is what follows.
    while len(ent) > 1 and ent[0].lemma_.lower() == question.predicate:
        ent = ent[1:]
    return _entity_span(doc, ent, how)


def _names_asked(head: Any, asked: set[str]) -> bool:
    """A name's head word is one the question gives ("Halvas" in "who did Halvas pick?"): the question's own person,
    not its answer."""
    return content_terms(head.text) <= asked


def _said_of(root: Any, named: set[int]) -> bool:
    """ "How much did the Trust put in?" against "The £3.2 million project was paid for by the Trust, which
    contributed £2.1 million": the entity in a clause whose subject is the question's name, or in a relative clause
    on it."""
    verb = next((t for t in root.ancestors if t.pos_ in {"VERB", "AUX"}), None)
    if verb is None or not named:
        return False
    if verb.dep_ == "relcl" and verb.head.i in named:
        return True
    return any(c.dep_ in _SUBJECTS and any(t.i in named for t in c.subtree) for c in verb.children)


def _measures(root: Any, noun: str | None) -> bool:
    """ "What was the turnout?" against "backed it by 71 per cent on a turnout of 58 per cent": the amount said of the
    asked noun ("a turnout of 58 per cent", "a 58 per cent turnout", "the turnout was 58 per cent"), not another
    amount in the sentence nor one describing something else ("the 50 per cent turnout threshold")."""
    if noun is None:
        return False
    head = root.head
    if head.lower_ == "of" and head.head.lemma_.lower() == noun:
        return True
    if head.lemma_.lower() == noun and head.dep_ != "compound" and root.dep_ in {"nummod", "compound", "amod"}:
        return True
    return root.dep_ == "attr" and any(c.dep_ in _SUBJECTS and c.lemma_.lower() == noun for c in head.children)


def _entity_span(doc: Any, ent: Any, how: str, in_before: bool = False) -> Span:
    """An entity as a short answer, its offsets in the sentence ``doc`` it stands in."""
    return Span(_trim(ent.text), ent.start_char - doc[0].idx, ent.end_char - doc[0].idx, how, in_before)


def _words(doc: Any, words: Any, how: str) -> Span:
    """A run of the sentence's tokens as a short answer, its offsets in the sentence ``doc``."""
    return Span(words.text, words.start_char - doc[0].idx, words.end_char - doc[0].idx, how)


def _entity_at(doc: Any, span: Span) -> Any | None:
    """The entity of ``doc`` a span found by label starts in."""
    base = doc[0].idx
    return next((e for e in doc.ents if e.start_char - base <= span.start < e.end_char - base), None)


def _trim(text: str) -> str:
    return re.sub(r"^(the|a|an)\s+", "", text.strip(), flags=re.I).rstrip(".,;:-'\"”’")


def _who_or_what(
    question: Question, doc: Any, anchor: Any | None, before: Callable[[], Any | None] | None = None
) -> Span | None:
    asked = _asked(question)
    if question.asks_kind and (span := _description(question, doc, asked)):
        return span
    # The asked preposition names the role more closely than the head noun, which in "what are nerve agents similar
    # to?" is the subject's, and whose chunk the parser splits at "and" ("the audit and governance committee").
    if span := _prepositional_object(question, doc, anchor, asked, before):
        return span
    # "Which eye disease ...?": the phrase headed by the asked noun, less the question's own words.
    if question.head_noun:
        # (Not a name the question gives: "Prime Minister Teodor Halvas" for "who did Halvas pick as minister?")
        headed = [
            c
            for c in doc.noun_chunks
            if any(t.lemma_.lower() == question.head_noun for t in c)
            and not (
                c.root.pos_ == "PROPN" and c.root.lemma_.lower() != question.head_noun and _names_asked(c.root, asked)
            )
        ]
        for chunk in headed:
            if span := _appositive_name(doc, chunk.root, asked):
                return span
        if question.form is Form.PERSON:
            # "policy adviser and frequent speechwriter Stephen Miller": the name the asked noun describes.
            for noun in (t for t in doc if t.lemma_.lower() == question.head_noun):
                if span := _name_beside(doc, noun, asked):
                    return span
        for chunk in headed:
            if span := _rest_of(doc, chunk, question, "head noun"):
                return span
    # "Who chairs the council?" against "the council's chair, Moira Tavish": the predicate as a role noun.
    role_noun = anchor is not None and anchor.pos_ == "NOUN" and question.form is Form.PERSON
    if role_noun and (span := _appositive_name(doc, anchor, asked)):
        return span
    if anchor is not None:
        if question.slot in _SUBJECTS:
            passive = anchor.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in anchor.children)
            # "Who approved X?" -> subject; in a passive sentence "X was approved by the board" -> the agent.
            if passive and question.slot != "nsubjpass":
                for agent in (c for c in anchor.children if c.dep_ == "agent"):
                    for pobj in (c for c in agent.children if c.dep_ == "pobj"):
                        if span := _antecedent(doc, pobj, before) or _phrase(doc, pobj, "agent", asked):
                            return span
            # "Who was cleared?" asks for the one cleared: a passive's subject, an active sentence's object.
            roles = _OBJECTS if question.slot == "nsubjpass" and not passive else _SUBJECTS
            subjects = [c for c in anchor.children if c.dep_ in roles]
            for subject in subjects:
                # "Board chair Delphine Castellanos cast the vote": the small parser makes the title and the name
                # after it two subjects; the person is the name.
                if question.form is Form.PERSON and subject.lemma_.lower() in PERSON_NOUNS:
                    after = (c for c in subjects if c.pos_ == "PROPN" and c.left_edge.i == subject.i + 1)
                    subject = next(after, subject)
                relative = _relative_head(doc, anchor, subject, asked)
                found = relative or _antecedent(doc, subject, before)
                # "its finance director, Graham Lusk, would retire", "the two councillors who voted against, Rufus
                # Danvers and Priya Almond,": a person is answered by the name.
                if question.form is Form.PERSON and (found is None or relative is not None):
                    described = anchor.head if relative is not None else subject
                    found = _appositive_name(doc, described, asked) or found
                if span := found or _phrase(doc, subject, "subject", asked):
                    return span
        elif question.slot in _OBJECTS | {"pobj"}:
            if span := _what_was_said(question, doc, anchor, asked):
                return span
            # "What did the board approve?" -> object; "What was approved?" in a passive sentence -> its subject.
            objects = [c for c in anchor.children if c.dep_ in _OBJECTS | {"nsubjpass"}]
            # "offering affected patients 12 months of monitoring": of two objects, the first is whom it goes to and
            # the second what is given, which "what" asks for.
            if question.form is not Form.PERSON and sum(c.dep_ in {"dobj", "dative"} for c in objects) > 1:
                objects.reverse()
            for obj in objects:
                if span := _antecedent(doc, obj, before) or _phrase(doc, obj, "object", asked):
                    return span
    # The sentence holds the asked event but nobody in the asked role ("the pullout was announced"): a name that
    # merely stands nearby would answer a question the sentence does not.
    if slot_empty(question, anchor):
        return None
    if question.form is Form.PERSON and (span := _entity(question, doc, anchor, "entity")):
        return span
    if question.head_noun in _ORG_NOUNS and (span := _entity(question, doc, anchor, "organisation", _is_org)):
        return span
    return _nearest_phrase(question, doc, anchor)


def _what_was_said(question: Question, doc: Any, anchor: Any, asked: set[str]) -> Span | None:
    """ "What did she call the hackers?" asks for the name given, not its object: "little hacker boys". "What did he
    say?" asks for what was said: the clause he said ("Any ambassador provides information ...")."""
    if question.predicate in _NAMING:
        for t in anchor.children:
            # The small parser hangs the name given on the verb, or on its object as an apposition.
            named = (
                [t] if t.dep_ == "oprd" else [c for c in t.children if c.dep_ == "appos"] if t.dep_ == "dobj" else []
            )
            for name in named:
                if span := _phrase(doc, name, "name given", asked):
                    return span
    # ("What did he say the deal could be used as?" asks inside the clause said: its predicate is "use".)
    if question.predicate in _SAYING and question.slot == "dobj":
        for said in (c for c in anchor.children if c.dep_ == "ccomp"):
            words = [t for t in said.subtree if not (t.is_punct and t.i in {said.left_edge.i, said.right_edge.i})]
            while words and (words[0].dep_ == "mark" or words[0].is_punct):
                words = words[1:]
            if words and not content_terms(" ".join(t.text for t in words)) <= asked:
                return _clause_from(doc, words[0], words[-1].i, "said")
    return None


def _prepositional_object(
    question: Question, doc: Any, anchor: Any | None, asked: set[str], before: Callable[[], Any | None] | None
) -> Span | None:
    """ "What had she been suffering from?" against "suffering from heart and liver disease": the object of the
    same preposition on the same word (or on the aligned one)."""
    if question.preposition is None:
        return None
    word, lemma, stemmed = question.preposition
    for prep in (t for t in doc if t.lower_ == word and t.dep_ in {"prep", "dative"}):
        same_word = prep.head.lemma_.lower() == lemma or stem(prep.head.lower_) == stemmed
        if not same_word and (anchor is None or anchor not in {prep.head, prep.head.head}):
            continue
        for pobj in (c for c in prep.children if c.dep_ in {"pobj", "pcomp"}):
            # "Which hospital was he taken to?": the hospital, not "St Brannock's Hospital in Carrow".
            asked_noun = pobj.lemma_.lower() == question.head_noun
            if span := _antecedent(doc, pobj, before) or _phrase(doc, pobj, "preposition", asked, asked_noun):
                return span
    return None


# The names a personal pronoun can stand for, by entity label: "it" and "they" are often a body or a group.
_ANTECEDENT_LABELS = {
    "he": ("PERSON",),
    "she": ("PERSON",),
    "him": ("PERSON",),
    "her": ("PERSON",),
    "it": ("ORG", "NORP", "GPE"),
    "they": ("ORG", "NORP", "PERSON", "GPE"),
    "them": ("ORG", "NORP", "PERSON", "GPE"),
}


# Verbs that attribute a quotation to its speaker: "'I am ordering the withdrawal,' Putin said".
_SAYING = {"say", "tell", "add", "announce", "declare", "state", "insist", "write", "warn", "explain"}


def _speaker(doc: Any) -> Span | None:
    """Who speaks the sentence's quotation: the subject of its saying verb, when that is not a pronoun too."""
    for verb in (t for t in doc if t.lemma_.lower() in _SAYING and t.pos_ == "VERB"):
        for subject in (c for c in verb.children if c.dep_ in _SUBJECTS and c.lower_ not in _PRONOUNS):
            if span := _phrase(doc, subject, "speaker"):
                return span
    return None


def _antecedent(doc: Any, pronoun: Any, before: Callable[[], Any | None] | None) -> Span | None:
    """Whom a pronoun in the asked role stands for: "He said the Taoiseach was best equipped", after a sentence
    quoting Cllr Cyril Burke, answers "which councillor said ..." with Cyril Burke. The nearest name of a fitting
    kind before the pronoun, in its own sentence; else, in the sentence before, its subject's name if it fits (a
    subject pronoun most often continues the subject before it), or its last fitting name."""
    if pronoun.lower_ in {"i", "we"} and pronoun.pos_ == "PRON":
        return _speaker(doc)  # "I" in a quotation is its speaker
    labels = _ANTECEDENT_LABELS.get(pronoun.lower_)
    if labels is None or pronoun.pos_ != "PRON":
        return None
    earlier = [e for e in doc.ents if e.end <= pronoun.i and e.label_ in labels]
    if earlier:
        return _entity_span(doc, earlier[-1], "antecedent")
    previous = before() if before is not None else None
    if previous is None or not len(previous):
        return None
    named = [e for e in previous.ents if e.label_ in labels]
    subjects = [e for e in named if e.root.dep_ in _SUBJECTS or e.root.head.dep_ in _SUBJECTS]
    if named:
        return _entity_span(previous, subjects[0] if subjects else named[-1], "antecedent", in_before=True)
    # No name: the subject phrase it continues ("The regional planning board met on Tuesday. It approved ...").
    roots = [t for t in previous if t.dep_ == "ROOT"]
    for subject in (c for root in roots[:1] for c in root.children if c.dep_ in _SUBJECTS):
        if subject.lower_ not in _PRONOUNS and (span := _phrase(previous, subject, "antecedent")):
            return replace(span, in_before=True)
    return None


def _relative_head(doc: Any, verb: Any, subject: Any, asked: set[str]) -> Span | None:
    """The noun a relative clause is about: "Dennis Farrow, who was cleared by the same jury" -> Dennis Farrow."""
    if subject.lower_ in {"who", "which", "that"} and verb.dep_ == "relcl":
        return _phrase(doc, verb.head, "subject", asked)
    return None


def _description(question: Question, doc: Any, asked: set[str]) -> Span | None:
    """ "What kind of organisation is Meals on Wheels?": what the sentence says the named thing is, in apposition
    ("Meals on Wheels, a non-profit program"), as its predicate ("X is a cleaning firm") or as the words before its
    name ("the 14-metre scallop dredger Morwenna Rose")."""
    named = [t for t in doc if t.pos_ in {"PROPN", "NOUN"} and t.lemma_.lower() != question.head_noun
             and content_terms(t.text) and content_terms(t.text) <= asked]  # fmt: skip
    for t in named:
        # The whole name's head: "Wheels" in "Meals on Wheels" hangs on "Meals".
        head = t.head if t.dep_ in {"compound", "pobj", "prep", "flat"} and t.head.pos_ in {"PROPN", "NOUN"} else t
        head = head.head if head.dep_ == "prep" else head
        for said in (c for c in (*t.children, *head.children) if c.dep_ == "appos"):
            if span := _phrase(doc, said, "description", asked):
                return span
        if head.dep_ in _SUBJECTS and head.head.lemma_ == "be":
            for attr in (c for c in head.head.children if c.dep_ == "attr"):
                if span := _phrase(doc, attr, "description", asked):
                    return span
        before = [m for m in doc[head.left_edge.i : t.i] if m.dep_ != "det" and m.ent_type_ != "PERSON"]
        before = [m for m in before if not (content_terms(m.text) and content_terms(m.text) <= asked)]
        if any(m.pos_ == "NOUN" for m in before):
            return _words(doc, doc[before[0].i : before[-1].i + 1], "description")
    return None


def _appositive_name(doc: Any, noun: Any, asked: set[str]) -> Span | None:
    """The name a role noun stands in apposition with: "the council's chair, Moira Tavish" and "Moira Tavish, the
    council's chair" both give "Moira Tavish" for the chair."""
    named = [c for c in noun.children if c.dep_ == "appos"] + ([noun.head] if noun.dep_ == "appos" else [])
    for name in (n for n in named if n.pos_ == "PROPN" or n.ent_type_):
        if span := _phrase(doc, name, "apposition", asked):
            return span
    return None


def _name_beside(doc: Any, noun: Any, asked: set[str]) -> Span | None:
    """The nearest person's name a role noun describes: within ``NAME_REACH`` tokens either side, with no verb
    between ("Nezir Sinani, Europe and Central Asia Manager"; "policy adviser and speechwriter Stephen Miller"); not
    one the question names ("Who did Halvas pick as minister?" is not answered by "Prime Minister Teodor Halvas")."""
    best: tuple[int, Any] | None = None
    for ent in (e for e in doc.ents if e.label_ == "PERSON" and not _names_asked(e.root, asked)):
        between = doc[ent.end : noun.i] if ent.end <= noun.i else doc[noun.i + 1 : ent.start]
        if len(between) > NAME_REACH or any(t.pos_ in {"VERB", "AUX"} for t in between):
            continue
        if best is None or len(between) < best[0]:
            best = (len(between), ent)
    return _entity_span(doc, best[1], "head noun") if best else None


# Tokens between a role noun and the name it describes, at most: five covers a title of a few words and a list
# ("Europe and Central Asia Manager"); chosen by reading dev's misses, not swept.
NAME_REACH = 5


def _is_org(ent: Any) -> bool:
    return ent.label_ == "ORG"


def _rest_of(doc: Any, chunk: Any, question: Question, how: str) -> Span | None:
    """A noun phrase without the words the question already says: "the eye disease trachoma" -> "trachoma"."""
    asked = _asked(question)
    # A name keeps its words even where the question used them: "the Bode Museum" stays whole; an amount ("a 7% pay
    # rise" for "what pay rise?") has no content words and says what the question does not.
    tokens = [
        t
        for t in chunk
        if (not content_terms(t.text) <= asked or t.pos_ == "PROPN" or _numeric(t))
        and (not t.is_punct or _numeric(t))
        and t.pos_ != "DET"
    ]
    if tokens and not any(_numeric(t) for t in tokens) and content_terms(" ".join(t.text for t in tokens)) <= asked:
        return None
    if not tokens or all(t.is_stop for t in tokens):
        return None
    start, end = tokens[0].idx - doc[0].idx, tokens[-1].idx + len(tokens[-1]) - doc[0].idx
    return Span(doc.text[start:end], start, end, how)


def _nearest_phrase(question: Question, doc: Any, anchor: Any | None) -> Span | None:
    """The noun phrase nearest the sentence's words from the question (its predicate first) that says something
    the question does not: a non-entity answer like "a relief road" or "heart and liver disease"."""
    asked = _asked(question)
    anchors = [anchor.i] if anchor is not None else [t.i for t in doc if content_terms(t.text) & asked]
    if not anchors:
        return None
    asks_object = question.slot in _OBJECTS | {"pobj"}
    best: tuple[tuple[bool, int], Any] | None = None
    for chunk in doc.noun_chunks:
        words = content_terms(chunk.text)
        if not words or words <= asked or chunk.root.lower_ in _PRONOUNS:
            continue
        # A date answers "when": "what did the council outlaw?" is not answered by "Tuesday" (though "what
        # deadline?", which names its noun, may be).
        labels = {t.ent_type_ for t in chunk}
        if question.head_noun is None and labels & {"DATE", "TIME"} and labels <= {"DATE", "TIME", "CARDINAL"}:
            continue
        distance = min(min(abs(chunk.start - i), abs(chunk.end - 1 - i)) for i in anchors)
        # The verb's own arguments first. A question that asks for an object names the subject itself, which the
        # sentence restates ("the star" for "what had the singer been suffering from?"): a subject comes last.
        role = 0 if chunk.root.dep_ in _OBJECTS | _SUBJECTS | {"pobj"} else 2
        if asks_object and chunk.root.dep_ in _SUBJECTS:
            role = SUBJECT_FOR_OBJECT
        # A phrase sharing words with the question is the question's own argument ("Israeli warplanes" for "what
        # were the Israeli planes going after?"), not its answer: any phrase saying only new things comes first.
        score = (bool(words & asked), distance + role)
        if best is None or score < best[0]:
            best = (score, chunk)
    if best is None:
        return None
    chunk = best[1]
    # The chunk's whole phrase: "heart and liver disease", "murder and risk of injury to a minor".
    return _phrase(doc, chunk.root, "nearest phrase", asked) or _rest_of(doc, chunk, question, "nearest phrase")


# Tokens of distance a subject is set back by when the question asks for an object (other phrases: 2). Set by hand,
# not swept: with it dev F1 went 0.533 -> 0.539 and no dev answer was lost.
SUBJECT_FOR_OBJECT = 4


def _number(question: Question, doc: Any, anchor: Any | None) -> Span | None:
    # "at the age of 87", "aged 87", "87-year-old": the small tagger often leaves these untagged.
    if question.head_noun == "age" or question.wh == "how old":
        # An age is given in one of these shapes; any other number in the sentence is something else.
        match = _AGE.search(doc.text)
        if match is None:
            return None
        group = next(g for g in (1, 2, 3, 4) if match.group(g))
        return Span(match.group(group), match.start(group), match.end(group), "age")

    if question.wh == "how often":
        return _frequency(doc, anchor)
    # "How long was he jailed?" asks for a duration, which has its unit ("three years"); "how long is X" is a length.
    duration = question.wh == "how long" and not _asks_length(question)
    # "How deep is the wreck?", "how long is the bridge": a measure has its unit ("some 40 metres"), not "two".
    measured = question.wh in _MEASURE_HOW or _asks_length(question) or question.predicate == "weigh"

    def unit_after(start: int, end: int) -> bool:
        return bool(_MEASURE_UNIT.search(doc[start : min(end + 3, len(doc))].text))

    # A count of things ("400 passengers", "230 residents") is not a sum of money, a share or a measure.
    no_counts = MEASURE_NOUNS.get(question.head_noun or "", ("",))[0] in {"MONEY", "PERCENT", "QUANTITY"}

    shared = question.head_noun in _SHARE_NOUNS

    def a_share(start: int, end: int) -> bool:
        return bool(_PERCENT.search(doc[start : min(end + 2, len(doc))].text))

    def a_sum(start: int, end: int) -> bool:
        # "£87.60", "620,000 pounds", "$4 million": a currency beside the number (the sign is a token before it).
        return bool(_CURRENCY.search(doc[max(start - 1, 0) : min(end + 2, len(doc))].text))

    def counted(end: int) -> str | None:
        after = doc[end] if end < len(doc) else None
        if after is None or after.pos_ != "NOUN" or _magnitude_at(doc, end):
            return None  # the "m" of "£2.7m" counts nothing
        return after.lemma_.lower()

    def counts_asked(end: int) -> bool:
        return question.head_noun is not None and counted(end) == question.head_noun

    def counts_other(end: int) -> bool:
        noun = counted(end)
        return noun is not None and noun != question.head_noun and doc[end].lower_ not in _MEASURE_UNITS

    def numeric(ent: Any) -> bool:
        if not any(_a_quantity(t) for t in ent):
            return False
        # A year is a date, not a count or a measure; a number counting some other thing ("for 50 years" when
        # the question counts fans) answers another question.
        if YEAR.fullmatch(ent.text.strip()):
            return False
        noun = counted(ent.end)
        # "How much did the plane cost?" is not answered by "17,000 eye surgeries" nor "one of 17 sites".
        if question.asks_money and ent.label_ != "MONEY" and not a_sum(ent.start, ent.end):
            return False
        if no_counts and ent.label_ == "CARDINAL" and counts_other(ent.end):
            return False
        if shared and not a_share(ent.start, ent.end):
            return False
        if duration and not _AMOUNT_OF_TIME.search(ent.text):
            return False  # not the age in "Ferreira, 52,", nor a point in time ("14 January next year")
        # "How long is the contract?" may ask for a length of time too.
        if (
            measured
            and not unit_after(ent.start, ent.end)
            and not (_asks_length(question) and _DURATION.search(ent.text))
        ):
            return False
        # "up to 18 months" and "three times" count no children: the unit may sit inside the entity or after it.
        units = {t.lemma_.lower() for t in ent if not t.like_num} if question.wh == "how many" else set()
        return not other_unit(units | {noun})

    def counts_another(token: Any) -> bool:
        # "How many packages?" is not answered by the 12 of "12-ounce packages", which counts ounces.
        counted_noun = token.head if token.dep_ == "nummod" and token.head.pos_ == "NOUN" else None
        return question.wh == "how many" and counted_noun is not None and counted_noun.lemma_ != question.head_noun

    def other_unit(units: set[str | None]) -> bool:
        return bool(question.head_noun and units & _UNIT_LEMMAS and question.head_noun not in units)

    span = _entity(question, doc, anchor, "number", numeric)
    if span is None and question.wh == "how long":
        # a bare number has no unit; "a four-and-a-half-year contract" has
        return _length_adjective(doc, anchor, duration)
    if span is None:
        # A bare number spaCy left untagged ("at the age of 87"): the one nearest the aligned verb.
        asked = set(re.findall(r"\d+", question.text))
        numbers = [
            t
            for t in doc
            if _a_quantity(t)
            and not counts_another(t)
            and t.text not in asked
            and not YEAR.fullmatch(t.text)
            and not (no_counts and counts_other(t.i + 1))
            and not (question.asks_money and not a_sum(t.i, t.i + 1))
            and not (shared and not a_share(t.i, t.i + 1))
            and not (measured and not unit_after(t.i, t.i + 1))
            and not other_unit({counted(t.i + 1)})
            # "9 January" holds a number, but it is a date: only a question about time takes it.
            # (the small tagger's "eleven warships" as a time still counts the asked warships)
            and not (t.ent_type_ in {"DATE", "TIME"} and question.wh not in _TIME_HOW and not counts_asked(t.i + 1))
        ]
        if not numbers:
            return None
        token = min(numbers, key=lambda t: abs(t.i - anchor.i) if anchor is not None else t.i)
        # Scraped text glues punctuation to a number ("87.-"): keep the number and a unit sign only.
        text = re.sub(r"[^\w%]+$", "", token.text)
        span = Span(text, token.idx - doc[0].idx, token.idx - doc[0].idx + len(text), "bare number")
        return _with_unit(_with_sign(span, doc, token.i), doc, token, token.i + 1, question.head_noun)
    base = doc[0].idx
    ent = _entity_at(doc, span)
    first = next(t.i for t in ent if t.idx - base >= span.start)
    # The small tagger's "an estimated 340" has "an" for its root; the number is what modifies the unit.
    number = ent.root if ent.root.like_num else next((t for t in reversed(ent) if t.like_num), ent.root)
    # "cut its opening hours from 52 to 44 a week": a change, of which the question asks the new figure, unless it
    # asks what it was. ("could get from eight to fifteen years" is a range, and stays whole.)
    to = next((t for t in ent if t.lower_ == "to" and t.i > ent.start), None)
    opening = ent[0] if ent[0].lower_ == "from" else (doc[ent.start - 1] if ent.start > 0 else ent[0])
    if to is not None and opening.lower_ == "from" and opening.head.lemma_.lower() in _CHANGE_VERBS:
        was = _BEFORE_THE_CHANGE.search(question.text)
        part = doc[ent.start + (ent[0].lower_ == "from") : to.i] if was else doc[to.i + 1 : ent.end]
        if any(t.like_num for t in part):
            span = Span(part.text, part.start_char - base, part.end_char - base, span.how)
            first, number = part.start, next(t for t in reversed(part) if t.like_num)
    return _with_unit(_with_sign(span, doc, first), doc, number, ent.end, question.head_noun)


_CHANGE_VERBS = {"cut", "reduce", "raise", "rise", "increase", "fall", "drop", "grow", "climb", "lower", "extend",
                 "shorten", "jump", "double", "halve", "boost", "slash", "trim", "lift", "decline", "change", "move",
                 "shrink", "expand", "soar", "plunge", "swell"}  # fmt: skip
_BEFORE_THE_CHANGE = re.compile(r"(?i)\b(?:before|previously|used to|originally|formerly|until now|had been)\b")


def _frequency(doc: Any, anchor: Any | None) -> Span | None:
    """ "How often?" is answered by a rate ("every fortnight", "twice a week", "monthly"), the one nearest the aligned
    verb; any other number in the sentence ("Year 7s") counts something else."""
    return _nearest_match(list(_FREQUENCY.finditer(doc.text)), doc, anchor, "frequency")


def _nearest_match(matches: list[re.Match[str]], doc: Any, anchor: Any | None, how: str) -> Span | None:
    """Of a pattern's matches in the sentence, the one nearest the aligned verb (nearest its start without one)."""
    if not matches:
        return None
    where = anchor.idx - doc[0].idx if anchor is not None else 0
    match = min(matches, key=lambda m: abs(m.start() - where))
    return Span(match.group(), match.start(), match.end(), how)


_PERIOD = r"(?:second|minute|hour|day|night|week|fortnight|month|quarter|year|season|term|decade)s?"
_FREQUENCY = re.compile(
    rf"(?i)\b(?:every|each)\s+(?:\w+\s+)?{_PERIOD}\b|"  # "every fortnight", "every other week", "every two weeks"
    rf"\b(?:once|twice|thrice|\w+ times)\s+(?:a|an|per|every|each)\s+{_PERIOD}\b|"
    r"\b(?:hourly|daily|nightly|weekly|fortnightly|monthly|quarterly|annually|yearly)\b"
)


def _with_unit(span: Span, doc: Any, number: Any, end: int, asked_noun: str | None) -> Span:
    """A sum with its magnitude ("£7m"), or else a quantity with what it counts."""
    if not _magnitude_at(doc, end):
        return _with_counted(span, doc, number, end, asked_noun)
    word = doc[end].text.rstrip(".")
    return Span(span.text + word, span.start, doc[end].idx - doc[0].idx + len(word), span.how)


def _with_sign(span: Span, doc: Any, first: int) -> Span:
    """A sum keeps its currency sign, which the tagger leaves outside the entity: "£12,000", not "12,000"."""
    sign = doc[first - 1] if first > 0 else None
    if sign is None or sign.text not in _SIGNS or sign.whitespace_:
        return span
    return replace(span, text=sign.text + span.text, start=sign.idx - doc[0].idx)


def _magnitude_at(doc: Any, i: int) -> bool:
    return 0 < i < len(doc) and not doc[i - 1].whitespace_ and bool(_MAGNITUDE.fullmatch(doc[i].text))


def _with_counted(span: Span, doc: Any, number: Any, end: int, asked_noun: str | None) -> Span:
    """A quantity with its unit or what it counts: "six months", "340 metres", "more than 1,900 donors". The noun
    is kept when the number modifies it and follows at once, unless it is the very noun the question counts ("how
    many people": "some 30,000")."""
    if end >= len(doc) or span.text.endswith("%"):
        return span
    noun = doc[end]
    if noun.pos_ != "NOUN" or noun.is_stop or noun.lemma_.lower() == asked_noun:
        return span
    if number.head != noun or number.dep_ not in {"nummod", "quantmod"}:
        return span
    if re.search(r"[^\w%]$", number.text):
        return span  # "87.-": scraped punctuation ends the number's phrase
    return Span(f"{span.text} {noun.text}", span.start, noun.idx + len(noun) - doc[0].idx, span.how)


def _length_adjective(doc: Any, anchor: Any | None, duration: bool) -> Span | None:
    """A length given as a compound adjective ("a four-and-a-half-year contract", "a 340-metre span"), the one
    nearest the aligned verb: of time when the question asks how long something takes or lasts ("how long would
    the tunnel take to build?" is not answered by "a 900-metre tunnel"); either when it asks how long a thing is
    ("how long is the contract?")."""
    found = [m for m in _LENGTH_COMPOUND.finditer(doc.text) if not duration or _DURATION.search(m.group())]
    return _nearest_match(found, doc, anchor, "number")


# It starts with a number, in digits or words: "last-minute" and "long-term" are no lengths.
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty|forty|fifty|sixty|"
    r"seventy|eighty|ninety|hundred|thousand|half|quarter|dozen"
)
_LENGTH_COMPOUND = re.compile(
    rf"(?i)\b(?:\d[\d.,]*|{_NUMBER_WORDS})(?:-[a-z]+)*-(?:second|minute|hour|day|week|month|year|decade|metre|"
    r"meter|mile|kilometre|kilometer|foot|inch)\b(?!-old)"
)
# "How long", "how old", "how soon", "how often": questions a date's number can answer ("9 January" cannot say
# how much).
_TIME_HOW = set(NUMBER_LABELS) - {"how much"}


def _a_quantity(token: Any) -> bool:
    """A number that counts or measures: digits, a number word modifying a noun ("three children"), a fraction ("by
    a third"); not an ordinal ("the third-biggest", "the first state"), "one" standing for a thing ("one of 17
    sites") nor a part of a compound adjective."""
    if re.fullmatch(r"\d+(?:st|nd|rd|th)", token.lower_):
        return False  # an ordinal in digits: "the 3rd Armored Brigade"
    if re.match(r"\d", token.text):
        return True  # "a 12,000-capacity stadium" still gives its number
    if token.whitespace_ == "" and token.i + 1 < len(token.doc) and token.doc[token.i + 1].text == "-":
        return False  # a part of a compound adjective: the "four" of "a four-and-a-half-year contract"
    if token.lower_ in _ORDINALS or token.ent_type_ == "ORDINAL":
        # ... but "a third" is a fraction
        return token.i > 0 and token.doc[token.i - 1].lower_ in {"a", "one", "two"}
    if not token.like_num:
        return False
    return token.dep_ in {"nummod", "quantmod", "compound"} or (token.lower_ != "one" and token.pos_ == "NUM")


_ORDINALS = {"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "last"}
# "aged 87", "at the age of 87", "87-year-old", and news style's "Okafor, 47, joins" and "At 68, he is".
_AGE = re.compile(
    r"\b(?i:aged|age of)\s+(\d{1,3})\b|\b(\d{1,3})-year-old\b|\b[A-Z][\w'-]+, (\d{1,3}),|\b(?i:at) (\d{1,3}), (?:he|she)\b"
)
_DURATION = re.compile(r"(?i)\b(?:second|minute|hour|day|night|week|fortnight|month|year|decade|centur)")
# An amount of time: a count with its unit ("four years", "18 months", "a year and a half"), not a point in time
# that names a unit ("next year", "last month").
_AMOUNT_OF_TIME = re.compile(
    r"(?i)\b(?:\d[\d.,]*|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|\w+ty|several|"
    r"few|many|half|a couple of)(?:[\s-]+(?:and[\s-]a[\s-]half|more|full))?[\s-]+" + _DURATION.pattern[4:]
)


def _asks_length(question: Question) -> bool:
    """ "How long is the bridge?" asks for a length; "how long was he jailed?" and "how long had they been there?"
    for a duration."""
    return question.wh == "how long" and question.predicate == "be" and not _PERFECT.search(question.text)


_PERFECT = re.compile(r"(?i)\bbeen\b")
# "How high", "how deep": questions that ask for a measure with a unit of length, speed, weight or temperature.
_MEASURE_HOW = {"how high", "how tall", "how deep", "how far", "how fast", "how heavy", "how wide", "how hot",
                "how cold", "how warm"}  # fmt: skip
_MEASURE_UNIT = re.compile(
    r"(?i)\b(?:\d+(?:m|km|ft|kg|cm|mm)|(?:kilo|centi|milli)?met(?:re|er)s?|km|kilometers?|miles?|feet|foot|ft|"
    r"inch(?:es)?|cm|mm|(?:kilo)?grams?|kg|tonnes?|tons?|pounds|mph|km/h|knots|degrees?|celsius|fahrenheit|"
    r"hectares?|acres?|(?:mega)?lit(?:re|er)s?|gallons?)\b"
)
_UNIT_LEMMAS = {"year", "month", "week", "day", "hour", "minute", "metre", "meter", "mile", "kilometre", "percent",
                "time"}  # fmt: skip
_SIGNS = {"£", "$", "€", "¥"}
# A magnitude written onto a sum ("£7m", "$4.5bn", "£300k"), which the small tokenizer splits off and leaves outside
# the entity; "m." when the sum ends the sentence.
_MAGNITUDE = re.compile(r"(?i)(?:m|mn|bn|b|k|tn)\.?")
# "What share of the vote", "what percentage", "what proportion": a number is a share only with its percent sign or
# word ("41 per cent", which the small tagger calls MONEY); "1,000" drivers or "$3 billion" is another number.
# ("rate" and "ratio" are left out: "a rate of £15 an hour", "a ratio of three to one".)
_SHARE_NOUNS = {"percentage", "share", "proportion"}
_PERCENT = re.compile(r"(?i)%|\bper ?cent\b|\bpercentage points?\b")
_CURRENCY = re.compile(
    r"[£$€¥]|\b(?:pounds?|pence|p|dollars?|cents?|euros?|yuan|yen|roubles?|rubles?|rupees?|francs?|USD|GBP|EUR)\b"
)
# Words that make a number a sum or a measure rather than a count of things.
_MEASURE_UNITS = {"pounds", "dollars", "euros", "yuan", "yen", "roubles", "rubles", "rupees", "francs", "mph",
                  "knots", "inches", "centimetres", "millimetres", "cm", "mm", "metres", "meters", "miles",
                  "kilometres", "kilometers", "km", "feet", "tonnes", "tons", "percent", "hectares", "acres", "litres",
                  "liters", "gallons"}  # fmt: skip


def _date(question: Question, doc: Any, anchor: Any | None) -> Span | None:
    if question.head_noun == "year":
        # "What year ...?" is answered by a year, not by "Sunday", and by the year alone, not "September 15, 1974".
        span = _entity(question, doc, anchor, "date", lambda ent: bool(YEAR.search(ent.text)))
        year = YEAR.search(span.text) if span is not None else None
        if span is None or year is None:
            return span
        start = span.start + doc.text[span.start : span.end].find(year.group())
        return Span(year.group(), start, start + len(year.group()), span.how)
    if question.head_noun == "date":
        # "On what date ...?" asks for a calendar date: "5 March", "March 5, 2017", not "Monday" or "late December".
        return _entity(
            question,
            doc,
            anchor,
            "date",
            lambda ent: bool(re.search(r"\d", ent.text)) and not _SCHOOL_YEAR.search(ent.text),
        )
    if question.head_noun == "time":
        # "At what time ...?" asks for a time of day: "around 12.30pm", not "last year" or an age. The small tagger
        # seldom labels one, so it is read from the text.
        return _nearest_match(list(_CLOCK.finditer(doc.text)), doc, anchor, "time")
    # "the five-year conflict", "a 10-year-old": a length of time describing a noun is no point in time, nor is an
    # age the small tagger calls a date ("Pellow, 58,").
    span = _entity(
        question,
        doc,
        anchor,
        "date",
        lambda ent: (
            not _LENGTH_ADJECTIVE.search(ent.text)
            and bool(_POINT_IN_TIME.search(ent.text))
            and not _SCHOOL_YEAR.search(ent.text)
            and not _of_another_event(ent, anchor)
            and not _just_a_length(ent.text)
        ),
    )
    return _with_next_date(_with_day(span, doc), doc) if span is not None else _time_phrase(doc, anchor)


def _with_day(span: Span, doc: Any) -> Span:
    """ "the early hours of 28 September": the small tagger can leave the day's number out of the date."""
    ent = _entity_at(doc, span)
    day = doc[ent.start - 1] if ent is not None and ent.start > 0 else None
    if day is None or not day.text.isdigit() or not 1 <= int(day.text) <= 31 or ent.start_char - day.idx > 3:
        return span
    start = day.idx - doc[0].idx
    return Span(doc.text[start : span.end], start, span.end, span.how)


def _of_another_event(ent: Any, anchor: Any | None) -> bool:
    """ "When was the calf born?" against "born at the zoo since it opened in 1963": a date in a clause of its own
    under the aligned verb (with its own subject) dates that clause's event."""
    if anchor is None or anchor.pos_ not in {"VERB", "AUX"}:
        return False
    verb = next((t for t in ent.root.ancestors if t.pos_ in {"VERB", "AUX"}), None)
    if verb is None or verb == anchor or verb.dep_ not in {"advcl", "relcl", "ccomp"}:
        return False
    return any(c.dep_ in _SUBJECTS for c in verb.children) and anchor in verb.ancestors


def _with_next_date(span: Span, doc: Any) -> Span:
    """ "reopened on Wednesday, 3 September 2025": the tagger makes two dates of one; the answer is both."""
    base = doc[0].idx
    ent = _entity_at(doc, span)
    if ent is None or ent.end + 1 >= len(doc) or doc[ent.end].text != ",":
        return span
    # (the small tagger often leaves the day's number out of "3 September 2025")
    day = ent.end + 2 if ent.end + 2 < len(doc) and doc[ent.end + 1].like_num else ent.end + 1
    after = next((e for e in doc.ents if e.start in {ent.end + 1, day} and e.label_ == "DATE"), None)
    if after is None:
        return span
    return Span(doc.text[span.start : after.end_char - base], span.start, after.end_char - base, span.how)


def _time_phrase(doc: Any, anchor: Any | None) -> Span | None:
    """ "When did Dane come on?" against "who came on in the 105th minute": a point in time the tagger leaves
    unlabelled, from a phrase on the aligned verb whose noun is a unit of time."""
    if anchor is None:
        return None
    for prep in (c for c in anchor.children if c.dep_ == "prep" and c.lower_ in _TEMPORAL):
        for pobj in (c for c in prep.children if c.dep_ == "pobj" and c.lemma_.lower() in _TIME_NOUNS):
            return _words(doc, doc[prep.i : pobj.right_edge.i + 1], "time phrase")
    return None


_TEMPORAL = {"in", "at", "on", "during", "after", "before", "by", "within", "until"}
_TIME_NOUNS = {"second", "minute", "hour", "day", "night", "morning", "afternoon", "evening", "week", "weekend",
               "month", "year", "season", "half", "term", "quarter", "stage", "round", "lap", "inning", "period"}  # fmt: skip


# A time of day, with the words that hedge it: "around 12.30pm", "9.40pm", "shortly after 2am", "14:05", "noon".
_CLOCK = re.compile(
    r"(?i)(?:\b(?:around|about|shortly after|just after|just before)\s+)?"
    r"(?:\b\d{1,2}(?:[.:]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}:\d{2}(?::\d{2})?\b|\b(?:noon|midnight)\b)"
)
# What a point in time is said with: a year, a month, a weekday, a part of the day or year, a feast, a relative word.
_POINT_IN_TIME = re.compile(
    r"(?i)\b(?:1[89]\d\d|20\d\d|(?:1[89]|20)?\d0s|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|"
    r"june|july|august|september|october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"today|yesterday|tomorrow|tonight|morning|afternoon|evening|night|week|weekend|month|year|spring|summer|autumn|"
    r"fall|winter|christmas|easter|century|decade|ago|\d{1,2}(?:st|nd|rd|th)|\d{1,2}[./-]\d{1,2}(?:[./-]\d{2,4})?)\b"
)
# "Year 11 and Year 13", "the Year 7s": a class at school, which the small tagger calls a date.
_SCHOOL_YEAR = re.compile(r"(?i)\byears? \d{1,2}s?\b(?!\s*(?:ago|earlier|later|before|after))")


def _just_a_length(text: str) -> bool:
    """An amount of time with nothing placing it ("almost a century", "for three weeks"): how long, not when; "two
    years ago", "a week on Monday" and "the last three months" place theirs."""
    amount = _AMOUNT_OF_TIME.search(text)
    if amount is None:
        return False
    rest = text[: amount.start()] + " " + text[amount.end() :]
    return not (_POINT_IN_TIME.search(rest) or _PLACING.search(rest))


_PLACING = re.compile(
    r"(?i)\b(?:ago|later|earlier|before|after|since|last|next|this|past|previous|early|late|end|start)\b"
)
_LENGTH_ADJECTIVE = re.compile(r"(?i)\w-(?:second|minute|hour|day|week|month|year|decade|century)(?:-old)?\b")


def _place(question: Question, doc: Any, anchor: Any | None) -> Span | None:
    return _entity(question, doc, anchor, "place", _a_place) or _place_phrase(question, doc, anchor)


def _place_phrase(question: Question, doc: Any, anchor: Any | None) -> Span | None:
    """ "Where will the car park be built?" against "built on the site of the old boiler house": a place that is no
    name, from a locative phrase on the aligned verb (or, weaker, anywhere under it)."""
    if anchor is None or anchor.pos_ != "VERB":
        return None
    asked = _asked(question)
    preps = [t for t in anchor.subtree if t.lower_ in _LOCATIVE - {"to", "from"} and t.dep_ == "prep"]
    for prep in sorted(preps, key=lambda t: (t.head != anchor, abs(t.i - anchor.i))):
        for pobj in (c for c in prep.children if c.dep_ == "pobj"):
            if pobj.ent_type_ in {"DATE", "TIME"} or _an_amount(pobj) or pobj.lower_ in _PRONOUNS:
                continue
            how = "place phrase" if prep.head == anchor else "place phrase nearby"
            if span := _phrase(doc, pobj, how, asked):
                return span
    return None


def _a_place(ent: Any) -> bool:
    """An organisation is a place only where a sentence puts something at or in it ("at the Bode Museum"); as a
    doer ("the Skeleton Federation said") it answers no "where"."""
    if ent.label_ != "ORG":
        return True
    # Up through the phrase it sits in: "repaired at facilities of Novosibirsk aircraft repair plant".
    token = ent.root
    for _ in range(4):
        if token.dep_ == "pobj" and token.head.lower_ in _LOCATIVE:
            return True
        if token.dep_ not in {"pobj", "prep", "compound", "poss", "appos"}:
            return False
        token = token.head
    return False


_LOCATIVE = {"in", "at", "near", "inside", "outside", "beside", "behind", "to", "into", "from", "on"}


def _cause(question: Question, doc: Any, anchor: Any | None) -> Span | None:
    # "A deterioration in sea conditions led to the operation being postponed": the subject of a causing verb.
    for verb in (t for t in doc if t.lemma_.lower() in _CAUSING_VERBS and t.pos_ == "VERB"):
        # A passive's cause is its agent: "families forced out by the wildfire", which the small parser makes the
        # families' own act.
        agents = [p for a in verb.children if a.dep_ == "agent" for p in a.children if p.dep_ == "pobj"]
        for subject in agents or [c for c in verb.children if c.dep_ in _SUBJECTS]:
            if subject.lower_ not in _PRONOUNS and (span := _phrase(doc, subject, "causing subject", _asked(question))):
                return span
    # Each marker with the last token of its words: "thanks to" is one marker ending at "to".
    ends = {t.i: t.i for t in doc if t.lower_ in _CAUSE_MARKERS and _opens_clause(t)}
    rank = {i: _CAUSE_MARKERS.index(doc[i].lower_) for i in ends}
    for match in _CAUSE_PHRASES.finditer(doc.text):
        words = doc.char_span(match.start(), match.end(), alignment_mode="expand")
        if words is not None:
            ends[words.start], rank[words.start] = words.end - 1, 0
    # "to raise money" after the aligned verb reads as a purpose: a why-answer too.
    for t in doc:
        purpose = t.lower_ == "to" and t.dep_ == "aux" and t.head.dep_ in {"advcl", "xcomp"}
        if purpose and anchor is not None and t.head.head == anchor and t.i not in ends:
            ends[t.i], rank[t.i] = t.i, len(_CAUSE_MARKERS)
    if not ends:
        return None
    # Attached to the aligned verb first, then the least ambiguous marker, then the first in the sentence.
    for first in sorted(ends, key=lambda i: (anchor is None or not _attached(doc[i], anchor), rank[i], i)):
        marker, end = doc[first], doc[ends[first]]
        head = end.head if end.dep_ in {"mark", "aux"} else end
        # A connective of several words runs to the sentence's end (the small parser often hangs the clause after
        # "in case" elsewhere), a word to the end of its phrase; either is cut short by the clause rules.
        last = len(doc) - 1 if end != marker else max(t.i for t in head.subtree)
        # ... but not past the main verb when the clause stands before it: "A plan to dredge the harbour so that
        # larger ships can dock has split the town" ends at "dock".
        root = marker.sent.root
        if marker.i < root.i:
            verb_group = [
                t for t in doc[end.i + 1 : root.i + 1] if t == root or (t.head == root and t.dep_ in _VERB_GROUP)
            ]
            last = min(last, verb_group[0].i - 1) if verb_group else last
        # The clause ends where another cause begins: "after X resigned because Y" answers with "after X resigned".
        later = [i for i in ends if end.i < i <= last]
        if later:
            last = min(later) - 1
        # A marker the parser left without its clause (a headline's "rescued after boat loses power") says nothing.
        if last > end.i:
            return _clause_from(doc, marker, last, "cause", words_end=end.i)
    return None


_VERB_GROUP = {"aux", "auxpass", "neg"}


def _opens_clause(token: Any) -> bool:
    """A cause marker in its causal use: "as" and "since" only as subordinators ("as the river rose"), not
    "as normal"; the rest as subordinator or preposition ("because of", "due to", "after the storm")."""
    if token.lower_ in {"as", "since"}:
        return token.dep_ == "mark"
    # "who has looked after the okapis", "named after her grandmother": the verb's own particle, no cause.
    if token.lower_ == "after" and token.head.lemma_.lower() in _AFTER_VERBS and token.head.i == token.i - 1:
        return False
    return token.dep_ in {"mark", "prep", "amod", "advmod", "pcomp"}


# Verbs that take "after" as their own preposition.
_AFTER_VERBS = {"look", "name", "take", "chase", "ask", "seek", "lust", "hanker"}


def _manner(question: Question, doc: Any, anchor: Any | None) -> Span | None:
    # "How did officials read the talks?" against "interpreted as an inappropriate signal": how something is
    # regarded is its "as ..." phrase.
    if question.predicate in _REGARDING:
        for prep in (t for t in doc if t.lower_ == "as" and t.dep_ == "prep" and t.head.lemma_.lower() in _REGARDING):
            return _manner_phrase(doc, prep)
    if span := _means_to(question, doc):
        return span
    preps = [t for t in doc if t.lower_ in _MANNER_MARKERS and t.dep_ in {"prep", "agent"} and _means(t)]
    if preps:
        return _manner_phrase(
            doc, min(preps, key=lambda t: (anchor is None or t.head != anchor, t.lower_ != "by", t.i))
        )
    # "How did they pick their numbers?" against "chosen from the fleet numbers of the oldest buses": what a thing is
    # chosen or made from is how.
    if anchor is not None and anchor.lemma_.lower() in _MADE_FROM:
        source = next((c for c in anchor.children if c.lower_ == "from"), None)
        if source is not None:
            return _manner_phrase(doc, source)
    # "How were the attackers able to reach the database?" against "... because the email system did not require
    # two-factor authentication": without a means, an unambiguous reason says how it came about.
    span = _cause(question, doc, anchor)
    return span if span is not None and span.text.lower().startswith(_HOW_REASONS) else None


def _manner_phrase(doc: Any, prep: Any) -> Span | None:
    """The phrase a preposition of manner opens, to the end of its object."""
    return _clause_from(doc, prep, max(t.i for t in prep.subtree), "manner")


def _means_to(question: Question, doc: Any) -> Span | None:
    """ "How are they proposing to cut traffic?" against "... and to run a free shuttle bus from the station to cut
    traffic": the sentence gives the asked act as a purpose, and the act done for it is the means."""
    asked = _asked(question)
    for to in (t for t in doc if t.lower_ == "to" and t.dep_ == "aux"):
        purpose, act = to.head, to.head.head
        # (A verb with no content word of its own, "to be", asks nothing.)
        aim = content_terms(purpose.lemma_)
        if (
            purpose.dep_ in {"advcl", "xcomp"}
            and act.pos_ == "VERB"
            and act.i < to.i
            and aim
            and aim <= asked
            and not content_terms(act.lemma_) <= asked
        ):
            return _clause_from(doc, act, to.i - 1, "means")
    return None


def _asked(question: Question) -> set[str]:
    """The question's own words, stemmed as the index stems them: "squeezing" asks what "the squeeze" says."""
    return content_terms(question.text)


def _means(prep: Any) -> bool:
    """A preposition that introduces a means ("by raising council tax", "with a drone"), not a doer ("approved by
    the regional planning board") or a companion ("with his wife")."""
    objects = [c for c in prep.children if c.dep_ in {"pobj", "pcomp"}]
    if any(c.tag_ == "VBG" for c in objects):
        return True
    if not objects or any(c.ent_type_ in {"PERSON", "ORG", "NORP", "GPE"} for c in objects):
        return False
    # On a noun, "with" describes it ("a seal pup with a length of fishing net round its neck"), and "by" with a
    # plural or a determined noun names who did it ("an operation by volunteer marine medics", "a survey by the
    # engineers"); a bare one is still a means ("groceries by sea").
    doers = any(c.tag_ in {"NNS", "NNPS"} or any(d.dep_ in {"det", "poss"} for d in c.children) for c in objects)
    if prep.head.pos_ in {"NOUN", "PROPN"} and (prep.lower_ == "with" or (prep.lower_ == "by" and doers)):
        return False
    # "cut its grant by 18 per cent", "by a third": an amount of change; "by the time they arrived": a time.
    if prep.lower_ == "by" and any(_an_amount(c) or c.lower_ == "time" for c in objects):
        return False
    # A passive's "by the board" or "by criminals" names a doer; a bare "by bus", "by email" names a means.
    return prep.dep_ != "agent" or not doers


_HOW_REASONS = ("because", "thanks to", "due to", "owing to")


def _an_amount(noun: Any) -> bool:
    return _numeric(noun) or any(_a_quantity(t) for t in noun.subtree)


def _numeric(token: Any) -> bool:
    """A token of a number or an amount: "7" and "%" of "7%"."""
    return token.ent_type_ in _AMOUNT_LABELS or _a_quantity(token)


_AMOUNT_LABELS = {"PERCENT", "MONEY", "QUANTITY", "CARDINAL", "ORDINAL"}


def _attached(token: Any, anchor: Any) -> bool:
    head = token
    for _ in range(3):
        head = head.head
        if head == anchor:
            return True
    return False


_FINDERS: dict[Form, Callable[[Question, Any, Any | None], Span | None]] = {
    Form.PERSON: _who_or_what,
    Form.THING: _who_or_what,
    Form.NUMBER: _number,
    Form.DATE: _date,
    Form.PLACE: _place,
    Form.CAUSE: _cause,
    Form.MANNER: _manner,
}
