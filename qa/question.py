"""What a question asks, read from spaCy's parse: the wh-word and the form of answer it expects, the predicate
(the verb or event noun the question is about), the words of its core arguments, and the background qualifiers
(dates, places, "when X told Y" clauses) kept apart from the core.

The answerer aligns passage sentences on the predicate and the core, takes the answer from the slot the wh-word
fills, and does not demand that a passage repeat the background a user typed around the question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pressroom.ingest.terms import content_terms, stem


class Form(StrEnum):
    """The form of the answer a question expects."""

    PERSON = "person"  # who: a person or a body ("the regional planning board")
    THING = "thing"  # what / which: a noun phrase
    DATE = "date"
    PLACE = "place"
    NAME = "name"  # "what is the name of ...", "what was the book called": a proper name
    NUMBER = "number"  # how many / much / old / long / high ...: a quantity with its unit
    CAUSE = "cause"  # why: a causal clause
    MANNER = "manner"  # how (not a quantity): "by ..."
    OTHER = "other"  # no wh-word: a statement-like or yes/no question


_NUMBER_HOW = re.compile(
    r"\bhow (many|much|old|long|high|tall|deep|far|fast|big|heavy|large|wide|strong|often|soon|hot|cold|warm)\b", re.I
)
# A four-digit year of the last two centuries.
YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_PLACE_NOUNS = {"country", "city", "state", "town", "region", "province", "capital", "village", "county", "place"}
# Nouns that ask for an amount without "how many" or "how much" ("what salary", "what was the price of X", "what
# share of"), each with the entity labels (spaCy's OntoNotes scheme) that can give it, most likely first. Without
# them such a question expected any noun phrase, and a passage with the story but not the amount answered with one.
_MONEY = ("MONEY", "CARDINAL", "QUANTITY")  # the small tagger calls "620,000 pounds" a QUANTITY
_SHARE = ("PERCENT", "MONEY", "CARDINAL")  # the small tagger calls "41 per cent" MONEY
_MEASURE = ("QUANTITY", "CARDINAL", "PERCENT")
# Verbs whose "how much" asks for money ("how much did it cost?"), not any amount ("how much did the river rise?").
_MONEY_VERBS = re.compile(
    r"(?i)\b(?:cost|costs|pay|pays|paid|paying|fined?|spen[dt]|spends|charged?|earn(?:s|ed)?|sold|sell|invest(?:ed)?|"
    r"owed?|donated?|fetched|selling|sells|steal|stole|stolen|embezzled?|defrauded?|swindled?)\b"
)
# Verbs whose object is a price: "what did they pay", "what will it cost them" ("fin" is the small parser's lemma
# of "fined").
_PRICE_VERBS = {"pay", "cost", "charge", "fetch", "spend", "earn", "owe", "fine", "fin"}
# The wh-word's roles in which it is what the price verb takes: "what did they pay", "what is she paid", "what was
# paid".
_PRICED_SLOTS = {"dobj", "attr", "nsubjpass", "oprd"}
_COUNT = ("CARDINAL", "QUANTITY", "PERCENT", "MONEY", "ORDINAL")
MEASURE_NOUNS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("price", "cost", "salary", "wage", "pay", "fee", "fine", "budget", "deficit", "surplus", "revenue", "profit",
         "debt", "value", "worth", "fare", "rent", "income", "turnover", "bill", "compensation", "bonus", "damages",
         "ransom", "reward", "bail", "sum", "money", "cash", "funding", "investment", "grant", "loan", "payout",
         "donation", "subsidy"), _MONEY),
    **dict.fromkeys(("percentage", "share", "proportion", "rate", "ratio"), _SHARE),
    **dict.fromkeys(
        ("level", "height", "depth", "length", "distance", "speed", "temperature", "weight", "size", "capacity",
         "magnitude", "area", "altitude"), _MEASURE),
    **dict.fromkeys(
        ("age", "number", "amount", "figure", "total", "population", "score", "turnout", "toll", "majority", "margin",
         "attendance"), _COUNT),
}  # fmt: skip
_TIME_NOUNS = {"year", "date", "day", "month", "time", "week"}
# Nouns after "which" that ask for a person (or a body of people): the answer is a name or "the board".
PERSON_NOUNS = {
    "person", "people", "man", "woman", "boy", "girl", "official", "minister", "leader", "player", "manager",
    "judge", "detective", "officer", "inspector", "spokesman", "spokeswoman", "spokesperson", "ambassador",
    "president", "chief", "executive", "director", "councillor", "lawyer", "coach", "mayor", "senator", "mp",
    "candidate", "winner", "author", "singer", "actor", "star", "editor", "reporter", "envoy", "secretary",
    "chairman", "chairwoman", "chair", "chairperson", "general", "commander", "doctor", "surgeon", "nurse", "teacher",
    "headteacher",
    "student", "victim", "suspect", "founder", "owner", "resident", "witness", "prosecutor", "defendant",
    "footballer", "striker", "goalkeeper", "captain", "politician", "democrat", "republican", "activist",
    "campaigner", "member", "head", "boss", "governor", "king", "queen", "prince", "pope", "athlete", "rider",
    "adviser", "advisor", "aide", "speechwriter", "chancellor", "premier", "lawmaker", "legislator", "diplomat",
    "negotiator", "professor", "scientist", "researcher", "economist", "analyst", "expert", "pilot",
    "driver", "husband", "wife", "son", "daughter", "mother", "father", "brother", "sister", "cleric", "bishop",
    "priest", "deputy", "coroner", "pathologist", "artist", "writer", "poet", "novelist",
    "musician", "rapper", "model", "designer", "architect", "engineer", "surveyor", "farmer", "worker",
    "treasurer", "trustee", "auditor", "accountant", "clerk", "steward", "administrator",
    "grandfather", "grandmother", "grandson", "granddaughter", "grandparent", "parent", "uncle", "aunt", "cousin",
    "nephew", "niece", "partner", "friend", "neighbour", "neighbor", "colleague", "girlfriend", "boyfriend",
}  # fmt: skip
# Dependency labels of clauses and phrases that set the scene rather than ask: "In March 2017, when X told Y, ...".
_QUALIFIER_DEPS = {"advcl", "npadvmod", "prep", "relcl", "acl"}
_KINDS = {"kind", "type", "sort"}
# "What is X's job?" asks, like "what kind of N is X?", for what X is said to be ("Warda Alkenawy, a social worker").
_ROLES = {"job", "role", "position", "occupation", "profession", "post"}
_VAGUE_NOUNS = _KINDS | {"part", "form"}
# Words a typed question carries that say nothing a sentence could match: "so what's ...", "according to".
_DISCOURSE = {"so", "actually", "really", "just", "exactly", "basically", "according", "ok", "okay", "anyway"}
_AUXILIARIES = {"do", "be", "have", "will", "would", "can", "could", "should", "may", "might", "must", "shall"}


@dataclass
class Question:
    text: str
    form: Form
    wh: str | None  # the wh-word as typed ("who", "how many", "which")
    slot: str | None  # the wh-phrase's dependency role: nsubj, nsubjpass, dobj, pobj, attr, advmod ...
    predicate: str | None  # lemma of the verb (or event noun) the question turns on
    head_noun: str | None  # "which company" -> "company"; "how many MPs" -> "mp"
    core: set[str] = field(default_factory=set)  # stemmed content words of the core arguments and predicate
    qualifiers: set[str] = field(default_factory=set)  # stemmed content words of the background
    names: list[str] = field(default_factory=list)  # proper names in the core, lower case
    qualifier_names: list[str] = field(default_factory=list)  # proper names only in the background
    years: list[str] = field(default_factory=list)  # four-digit years anywhere in the question
    core_text: str = ""  # the question without its background: what a sentence's meaning is compared with
    # The preposition whose object is asked, and the lemma and stem of the word it hangs on: "suffering from what?" ->
    # ("from", "suffer", "suffer"); both, for the small lemmatiser reads "clad in" as "clothe".
    preposition: tuple[str, str, str] | None = None
    asks_price: bool = False  # "what did they pay?", "what is it worth?": a sum, though asked with "what"
    asks_kind: bool = False  # "what kind of organisation is X?", "what is X's job?": a description of X

    @property
    def terms(self) -> set[str]:
        return self.core | self.qualifiers

    @property
    def asks_money(self) -> bool:
        """ "What salary?", "how much did the plane cost?", "how much was the firm fined?": a sum of money."""
        noun_labels = MEASURE_NOUNS.get(self.head_noun or "", ())
        # The verb is read from the words: the small parser takes "cost" in "did the plane cost Orbis" for a noun
        # and lemmatises "fined" as "fin".
        return (
            noun_labels is _MONEY or self.asks_price or (self.wh == "how much" and bool(_MONEY_VERBS.search(self.text)))
        )


# Spellings people type that the small parser misreads ("gonna" as the verb "gon"), with what they stand for. (Not
# "whats": the rules read its parse as well as that of "what's", and on dev spelling it out moved two answers, both
# for the worse.)
_TYPED = {"gonna": "going to", "wanna": "want to", "gotta": "got to", "isnt": "isn't", "arent": "aren't",
          "wasnt": "wasn't", "werent": "weren't", "dont": "don't", "doesnt": "doesn't", "didnt": "didn't",
          "cant": "can't", "couldnt": "couldn't", "wont": "won't", "wouldnt": "wouldn't", "shouldnt": "shouldn't",
          "hasnt": "hasn't", "havent": "haven't", "hadnt": "hadn't"}  # fmt: skip
_TYPED_WORD = re.compile(rf"(?i)\b({'|'.join(_TYPED)})\b")


def spelled_out(question: str) -> str:
    """The question with the informal spellings above written out: "how long is it gonna be closed" -> "how long is
    it going to be closed"."""
    return _TYPED_WORD.sub(lambda m: _TYPED[m.group(1).lower()], question)


def analyse(doc: Any) -> Question:
    """A ``Question`` from a spaCy ``Doc`` of the question."""
    text = doc.text
    # A question typed after some background ("I read that X. What did they accept?") asks in its last sentence
    # with a wh-word; the sentences before it are background.
    asking = _asking_sentence(doc)
    wh_token = _wh_word(asking) if asking is not None else None
    number = _NUMBER_HOW.search(asking.text if asking is not None else text)
    root = asking.root if asking is not None else None
    background = _background_tokens(doc, root, wh_token)
    if root is not None and wh_token is not None and root.i in background:
        # The small parser made the scene-setting clause the main one ("When Kiev threatened the MPs, which party
        # organised the visit?"): the asking clause's verb is the wh-word's.
        clause = (t for t in (wh_token, *wh_token.ancestors) if t.pos_ in {"VERB", "AUX"} and t.i not in background)
        root = next(clause, root)
    predicate_token = _predicate(root, background)
    if _describes_the_asked(predicate_token, root, wh_token):
        predicate_token = root
    framed = _framed_verb(predicate_token, wh_token)
    predicate_token = framed or predicate_token
    # "What was the name of the dog she was walking?" asks for the name, not what was being done.
    copula_noun = _noun_of(wh_token) if wh_token is not None else None
    progressive = None if copula_noun else _progressive_verb(root, wh_token)
    if progressive is not None:
        predicate_token = progressive
        background -= {t.i for t in progressive.subtree}
    head_noun = copula_noun or (None if progressive is not None else _head_noun(wh_token))
    form = _form(wh_token, number, head_noun)
    # "What's the pup been called?", "what is the film called?": a passive "called" or "named" asks for a name; an
    # active one ("what did he call the law?") for what was said of it.
    naming = predicate_token is not None and predicate_token.lemma_.lower() in {"call", "name"}
    if form is Form.THING and naming and predicate_token.tag_ == "VBN":
        form = Form.NAME
    slot = None
    if wh_token is not None:
        # The role of the whole wh-phrase: "which company" is a subject through its noun, not its determiner.
        phrase_head = (
            wh_token.head
            if wh_token.dep_ in {"det", "amod", "advmod"} and wh_token.head.pos_ in {"NOUN", "PROPN"}
            else wh_token
        )
        if number and wh_token.head.pos_ in {"ADJ", "ADV"} and wh_token.head.head.pos_ in {"NOUN", "PROPN"}:
            phrase_head = wh_token.head.head  # "how many MPs": the noun MPs
        slot = phrase_head.dep_
        # "What did Molefhe become?", "which step did they threaten": with do-support the wh-phrase is the
        # object, whatever the small parser hung it on.
        # (The "do" of a reporting verb is not the framed clause's: "what do they think started it" asks its subject.)
        do_support = framed is None and any(
            t.lemma_.lower() == "do" and t.i > wh_token.i and t.dep_ in {"aux", "ROOT"} for t in asking
        )
        if wh_token.lower_ in {"what", "who", "whom", "which"} and slot in _SUBJECTS | {"ROOT", "dep", "attr"}:
            # Without it, a wh-phrase the parser left unattached ("Which councillor said ...") is the subject.
            slot = "dobj" if do_support else ("nsubj" if slot in {"ROOT", "dep"} else slot)
        # "Which body can parents ask?": a subject after the auxiliary makes the wh-phrase the object, though the
        # small parser gives the verb two subjects.
        verb = phrase_head.head
        inverted = slot in _SUBJECTS and any(
            c.dep_ in _SUBJECTS and any(a.dep_ == "aux" and phrase_head.i < a.i < c.i for a in verb.children)
            for c in verb.children
        )
        slot = "dobj" if inverted else slot
        if framed is not None and phrase_head is wh_token and wh_token.lower_ in {"what", "who", "whom", "which"}:
            slot = _framed_slot(framed, wh_token)
        slot = "dobj" if progressive is not None else slot
    if form is Form.PERSON and head_noun is None and slot in _SUBJECTS:
        # "Who is running the school as interim head?", "who was named as chief executive?": the role asked for. (An
        # object's role, "who did Halvas pick as minister?", is found through the verb.)
        head_noun = _role_as(asking)
    predicate = predicate_token.lemma_.lower() if predicate_token is not None else None
    # "What did the museum pay for it?", "what is she paid?", "what was the firm fined?": the thing a price verb
    # takes is a sum; so is what a thing is worth ("what is the ring worth?").
    preposition = _asked_preposition(asking, wh_token)
    asks_price = (
        form is Form.THING
        and wh_token is not None
        and wh_token.lower_ == "what"
        and preposition is None  # "what was it fined for?" asks why
        and (
            (slot in _PRICED_SLOTS and predicate in _PRICE_VERBS)
            or any(t.lower_ == "worth" and t.pos_ != "NOUN" for t in asking or ())
        )
    )
    form = Form.NUMBER if asks_price else form
    # "how long", "how many": the word after "how" belongs to the asking, not to the topic.
    asking_word = wh_token.i + 1 if wh_token is not None and wh_token.lower_ == "how" else -1
    core_tokens = [
        t
        for t in doc
        if t.i not in background
        and not t.is_punct
        and t.tag_ not in _WH_TAGS
        and t.lower_ not in _ASKING
        and t.i != asking_word
    ]
    # "... I remember a hospital telling asthmatics to stay in - what town was that?": an asking clause that names
    # nothing but the asked noun asks about what the user set before it, which is then the core.
    if background and not content_terms(" ".join(t.text for t in core_tokens)) - {stem(head_noun or "")}:
        core_tokens = [t for t in doc if not t.is_punct and t.tag_ not in _WH_TAGS and t.lower_ not in _ASKING]
        background = set()
    names = _names(doc, core_tokens)
    return Question(
        text=text,
        form=form,
        wh=(number.group(0).lower() if number else wh_token.lower_) if wh_token is not None else None,
        slot=slot,
        predicate=predicate,
        head_noun=head_noun,
        core=content_terms(
            " ".join(
                t.text
                for t in core_tokens
                if t.lemma_.lower() not in _AUXILIARIES and t.pos_ != "PRON" and t.lower_ not in _DISCOURSE
            )
        ),
        qualifiers=content_terms(" ".join(doc[i].text for i in sorted(background))),
        names=names,
        qualifier_names=[
            n for n in _names(doc, [doc[i] for i in sorted(background)], _BACKGROUND_LABELS) if n not in names
        ],
        years=YEAR.findall(text),
        core_text=" ".join(t.text for t in doc if t.i not in background) or text,
        preposition=preposition,
        asks_price=asks_price,
        asks_kind=wh_token is not None
        and wh_token.lower_ == "what"
        # "What kind of milk is it made from?" asks for the milk, which fills a role like any other noun; only
        # "what kind of N is X?" asks what X is said to be.
        and (
            (wh_token.head.lemma_.lower() in _KINDS and wh_token.dep_ == "det" and predicate in {"be", None})
            or head_noun in _ROLES
        ),
    )


_WH_TAGS = {"WP", "WRB", "WDT", "WP$"}
_SUBJECTS = {"nsubj", "nsubjpass", "csubj"}
_ASKING = {"many", "much", "kind", "type", "sort"}
# Verbs that only frame another: "did they end up accepting", "who tried to block" ask about the second verb.
_LIGHT_VERBS = {"end", "try", "begin", "start", "continue", "want", "manage", "go", "get", "decide", "plan", "agree"}
# Verbs that report or weigh a clause: the question asks about the clause ("what did he say it would cost?").
_REPORTING = {"say", "think", "believe", "expect", "claim", "reckon", "suspect", "fear", "estimate", "predict",
              "suggest", "argue", "insist", "hope", "know", "tell", "report", "allege"}  # fmt: skip
_FRAME_BREAKS = {",", "-", "–", "—", ";", ":"}


def _asked_preposition(sentence: Any, wh: Any | None) -> tuple[str, str, str] | None:
    """The preposition whose object the wh-phrase is: "with what?", "to what range", "in what", or one left at the
    end ("what had she been suffering from?"); with the lemma of the word it hangs on."""
    if sentence is None or wh is None:
        return None
    phrase = wh.head if wh.dep_ in {"det", "amod"} else wh
    if phrase.dep_ == "pobj" and phrase.head.pos_ == "ADP":
        return _hung_on(phrase.head)
    before = wh.doc[wh.i - 1] if wh.i > sentence.start else None
    if before is not None and before.pos_ == "ADP" and before.dep_ != "agent":
        return _hung_on(before)
    # (An object before its preposition is the parser's misreading of a stranded one: "What were the fragments traced
    # to?" hangs "were" on "to".)
    stranded = [
        t
        for t in sentence
        if t.dep_ == "prep" and t.i > wh.i and not any(c.dep_ == "pobj" and c.i > t.i for c in t.children)
    ]
    return _hung_on(stranded[-1]) if stranded else None


def _hung_on(preposition: Any) -> tuple[str, str, str]:
    head = preposition.head
    return preposition.lower_, head.lemma_.lower(), stem(head.lower_)


def _wh_word(sentence: Any) -> Any | None:
    """The wh-word that asks: not one that opens a background clause ("when X told Y, how many ...")."""
    words = [t for t in sentence if t.tag_ in _WH_TAGS]
    asking = [t for t in words if not (t.head.dep_ in {"advcl", "relcl"} and t.dep_ in {"advmod", "mark"})]
    # "When the command said X, what year did they say she was born?": the small parser often makes the opening
    # clause the main one; a wh-word after its comma is the one that asks. An opening wh-word before its verb
    # ("When did the bridge open, and who opened it?") asks itself.
    first = words[0] if words else None
    subordinate = first is not None and first.i + 1 < len(first.doc) and first.nbor().pos_ not in {"AUX", "VERB"}
    if len(words) > 1 and first.i == sentence.start and subordinate:
        after_comma = [t for t in words[1:] if any(x.text == "," for x in sentence.doc[words[0].i : t.i])]
        asking = after_comma[:1] or asking
    return (asking or words or [None])[0]


def _asking_sentence(doc: Any) -> Any:
    sentences = list(doc.sents)
    with_wh = [s for s in sentences if any(t.tag_ in _WH_TAGS for t in s)]
    return (with_wh or sentences or [None])[-1]


def _predicate(root: Any, background: set[int]) -> Any:
    """The question's main verb: the root, or for "what did X do"/"why was X closed" the verb under an
    auxiliary root."""
    if root is None:
        return None
    if root.pos_ == "AUX" or root.lemma_.lower() in _LIGHT_VERBS | {"do"}:
        for child in root.children:
            if child.i in background:
                continue
            if child.pos_ == "VERB" and child.dep_ in {"ccomp", "xcomp", "acomp", "advcl", "conj"}:
                return _predicate(child, background) if child.lemma_.lower() in _LIGHT_VERBS else child
        # A misparsed question ("was the coin taken", "taken" hung on "coin"): its first full verb.
        verbs = [
            t
            for t in root.sent
            if t.pos_ == "VERB" and t.lemma_.lower() not in _AUXILIARIES | {"do"} and t.i not in background
        ]
        if verbs:
            return verbs[0]
    return root


def _describes_the_asked(verb: Any, root: Any, wh: Any) -> bool:
    """ "Who is the main contractor building the flood wall?" asks who the contractor is: "building the wall" says
    which contractor, and the sentence that answers ("The main contractor is Brackley") need not hold it. A participle
    with its own object, on the noun the copula equates with the wh-word."""
    if verb is None or root is None or wh is None or root.lemma_ != "be" or wh.dep_ != "attr":
        return False
    described = verb.dep_ == "acl" and verb.head.head == root and verb.head.dep_ in {"attr", "nsubj"}
    return described and any(c.dep_ == "dobj" for c in verb.children)


def _framed_verb(verb: Any, wh: Any) -> Any:
    """ "What did he say its gold would fetch?", "what do investigators think started the fire?": a reporting verb
    frames a clause, and the wh-word asking inside it asks about that clause's verb."""
    if verb is None or wh is None or verb.lemma_.lower() not in _REPORTING:
        return None
    # The small parser often hangs the wh-word on the reporting verb instead. It still asks inside the clause when
    # the reporting verb has a subject other than the wh-phrase ("what did he say", not "who said" nor "which
    # councillor said", which ask for the one who said it).
    reporter = any(c.dep_ in _SUBJECTS and c != wh and c.left_edge.i != wh.i + 1 for c in verb.children)
    for clause in (c for c in verb.children if c.dep_ == "ccomp" and c.pos_ in {"VERB", "AUX"}):
        if wh in clause.subtree or (wh.head == verb and reporter):
            return clause
    return None


def _progressive_verb(root: Any, wh: Any) -> Any:
    """ "What were the inspectors checking?", "what were the protesters demanding?": the small parser makes "were"
    the main verb and hangs the participle on it (or on its subject) as a clause of its own. The question asks for
    the participle's missing object, not what the inspectors were."""
    if root is None or wh is None or root.lemma_ != "be" or wh.lower_ not in {"what", "who", "whom"}:
        return None
    for verb in (t for t in root.subtree if t.i > wh.i and t.dep_ in {"advcl", "acl", "xcomp"}):
        # "What are people caught up in the breach being offered?": a passive progressive is the asking verb
        # wherever a long subject made the parser hang it.
        passive = verb.tag_ == "VBN" and any(c.dep_ == "auxpass" and c.lower_ == "being" for c in verb.children)
        attached = passive or (verb.tag_ == "VBG" and (verb.head == root or verb.head.head == root))
        if attached and not any(c.dep_ in {"dobj", "attr", "ccomp", "xcomp"} for c in verb.children):
            return verb
    return None


def _framed_slot(clause: Any, wh: Any) -> str:
    """The wh-word's role in the framed clause: its subject when the clause has none ("what do they think started
    the fire"), else its own role there, or the object ("what did he say its gold would fetch")."""
    if wh in clause.subtree:
        return wh.dep_
    return "dobj" if any(c.dep_ in _SUBJECTS for c in clause.children) else "nsubj"


def _head_noun(wh: Any) -> str | None:
    if wh is None:
        return None
    following = _noun_after(wh) if wh.lower_ in {"which", "what", "whose"} else None
    if following is not None and not (wh.dep_ in {"det", "amod"} and wh.head.pos_ in {"NOUN", "PROPN"}):
        # The small parser often hangs "which" elsewhere ("In which city will ..."): read the words instead.
        return following.lemma_.lower()
    if wh.dep_ in {"det", "amod"} and wh.head.pos_ in {"NOUN", "PROPN"}:
        head = wh.head
        # "what kind of organisation": the noun after "of" is the one asked about.
        if head.lemma_.lower() in _VAGUE_NOUNS:
            for prep in (c for c in head.children if c.lower_ == "of"):
                for pobj in (c for c in prep.children if c.dep_ == "pobj"):
                    return pobj.lemma_.lower()
        return head.lemma_.lower()
    if wh.head.pos_ in {"ADJ", "ADV"} and wh.head.head.pos_ in {"NOUN", "PROPN"} and wh.lower_ == "how":
        return wh.head.head.lemma_.lower()
    if wh.dep_ in {"attr", "nsubj"} and wh.head.lemma_ == "be":
        # "What was the price of X?", "Who is the chair of the council?": the noun the copula equates with the
        # wh-word is the one asked about.
        for subject in (c for c in wh.head.children if c.dep_ in {"nsubj", "attr"} and c.i != wh.i):
            if subject.pos_ == "NOUN":
                return subject.lemma_.lower()
    return None


def _role_as(sentence: Any) -> str | None:
    """The person noun after "as" in the asking sentence ("as interim head" -> "head"), if any."""
    roles = (
        c.lemma_.lower()
        for t in sentence
        if t.lower_ == "as" and t.dep_ == "prep"
        for c in t.children
        if c.dep_ == "pobj" and c.lemma_.lower() in PERSON_NOUNS
    )
    return next(roles, None)


def _noun_of(wh: Any) -> str | None:
    """ "What was the name of the dog she was walking?": the noun a copula puts after "what", read from the words,
    for the small parser hangs the wh-word on a later verb once a relative clause follows ("walking")."""
    doc = wh.doc
    words = [t for t in doc[wh.i + 1 : wh.i + 6] if not t.is_punct]
    if wh.lower_ != "what" or len(words) < 3 or words[0].lemma_.lower() not in {"be", "s"}:
        return None
    rest = words[1:]
    if rest[0].dep_ != "det":
        return None
    nouns = [t for t in rest[1:] if t.pos_ != "ADJ"]
    noun = nouns[0] if nouns else None
    after = doc[noun.i + 1] if noun is not None and noun.i + 1 < len(doc) else None
    return (
        noun.lemma_.lower()
        if noun is not None and noun.pos_ == "NOUN" and after is not None and after.lower_ == "of"
        else None
    )


def _noun_after(wh: Any) -> Any | None:
    """The noun that a "which"/"what" stands before ("which French minister" -> minister), if any."""
    doc = wh.doc
    i = wh.i + 1
    while (
        i < len(doc)
        and doc[i].pos_ in {"ADJ", "PROPN", "NOUN"}
        and i + 1 < len(doc)
        and doc[i + 1].pos_ in {"NOUN", "PROPN", "ADJ"}
    ):
        i += 1
    return doc[i] if i < len(doc) and doc[i].pos_ in {"NOUN", "PROPN"} and doc[i].tag_ != "NNP" else None


def _form(wh: Any, number: re.Match[str] | None, head_noun: str | None) -> Form:
    if number:
        return Form.NUMBER
    if wh is None:
        return Form.OTHER
    word = wh.lower_
    if word in {"who", "whom", "whose"}:
        return Form.PERSON
    if word == "when":
        return Form.DATE
    if word == "where":
        return Form.PLACE
    if word == "why":
        return Form.CAUSE
    if word == "how":
        # "How come the checks missed it?" asks why.
        following = wh.doc[wh.i + 1] if wh.i + 1 < len(wh.doc) else None
        return Form.CAUSE if following is not None and following.lower_ == "come" else Form.MANNER
    if head_noun in {"name", "title"}:
        return Form.NAME
    if head_noun in _TIME_NOUNS or _earliest(wh):
        return Form.DATE
    if head_noun in MEASURE_NOUNS:
        return Form.NUMBER
    if head_noun in _PLACE_NOUNS:
        return Form.PLACE
    if head_noun in PERSON_NOUNS:
        return Form.PERSON
    return Form.THING


def _earliest(wh: Any) -> bool:
    """ "What's the earliest it could reopen?": a superlative of time with a clause of its own asks when."""
    return wh.lower_ == "what" and any(
        t.lower_ in _TIME_SUPERLATIVES and any(c.dep_ == "relcl" and c.pos_ == "VERB" for c in t.children)
        for t in wh.doc[wh.i + 1 : wh.i + 5]
    )


_TIME_SUPERLATIVES = {"earliest", "soonest", "latest"}


def _background_tokens(doc: Any, root: Any, wh: Any | None) -> set[int]:
    """Token indices of scene-setting material: other sentences, and adverbial clauses and date/place phrases on
    the root that hold no wh-word. "In March 2017, when X told the conference Y, how many MPs did the party have?"
    keeps "how many MPs did the party have" as the core."""
    if root is None:
        return set()
    background: set[int] = {t.i for t in doc if t.sent != root.sent}
    if wh is not None:
        # "Back in February, while X was waiting, how many objections had come in?": what stands before the
        # wh-phrase, set off by a comma or a dash, is the scene.
        phrase_start = min(t.i for t in wh.head.subtree) if wh.dep_ in {"det", "advmod"} else wh.i
        breaks = [t.i for t in root.sent if t.i < phrase_start and t.text in _FRAME_BREAKS]
        if breaks:
            background.update(t.i for t in root.sent if t.i < breaks[-1])
    for child in root.children:
        subtree = list(child.subtree)
        if wh is not None and any(t.i == wh.i for t in subtree):
            continue
        if child.dep_ == "advcl" or (child.dep_ in _QUALIFIER_DEPS and _is_scene(subtree)):
            background.update(t.i for t in subtree)
    return background


def _is_scene(tokens: list[Any]) -> bool:
    """A phrase that dates or places the question: it holds a date, a time or a place."""
    return any(t.ent_type_ in {"DATE", "TIME", "GPE", "LOC", "EVENT"} for t in tokens)


_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "PRODUCT", "WORK_OF_ART"})
_BACKGROUND_LABELS = _NAME_LABELS - {"GPE", "LOC", "NORP"}


def _names(doc: Any, tokens: list[Any], labels: frozenset[str] = _NAME_LABELS) -> list[str]:
    wanted = {t.i for t in tokens}
    names = []
    for ent in doc.ents:
        if ent.label_ in labels and any(t.i in wanted for t in ent):
            names.append(ent.text.lower())
    return names
