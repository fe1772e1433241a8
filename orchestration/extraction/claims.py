"""Claims: sentences asserting something about a company, with who says so and how hedged it is.

"The report" is resolved to the most recent named report source ("a report from Reuters" ... "per the
report" -> Reuters), while the attribution keeps the literal words. Sentences that only imply the subject
("The company ...", "Its ...", or its chief executive by surname) are tied to the article's subject."""

from __future__ import annotations

import re

from orchestration.extraction.records import Amount, Claim, Entity, TickerMention
from orchestration.extraction.reference import Listing
from orchestration.extraction.sentences import Sentences

_NAME_WORD = r"(?:(?:[A-Z]\.){2,}|[A-Z][\w&'’-]*)"  # "U.S." or "Reuters", never a sentence's final period
_NAME = rf"(?:The )?{_NAME_WORD}(?: (?:of |and |de )?{_NAME_WORD}){{0,4}}"
# "said Edward Jones analyst Brian Yarbrough": the speaker is the name after the role, not the firm.
_ROLE_BEFORE_NAME = (
    rf"(?:{_NAME_WORD} ){{0,3}}(?:analyst|strategist|economist|spokes(?:wo)?man|spokesperson|executive|"
    r"official|lawyer|director|trader|professor) "
)
_REPORT_NOUN = r"(?:report|story|article|statement|filing|note|survey|analysis|study)"
# The lookahead skips, in one step, every position no alternative can start at (4x faster); every
# alternative starts a word ("said" after ", " too), and testing that first saves another quarter.
_ATTRIBUTION = re.compile(
    r"(?=[AaPpTtSs])\b"
    rf"(?:(?P<named_report>\b[Aa]ccording to (?:an?|the) (?:(?:new|recent|latest|separate) )?{_REPORT_NOUN} "
    rf"(?:from|by|in|published by) (?P<report_source>{_NAME}))"
    rf"|(?P<report_coref>\b(?:(?:[Aa]s )?[Pp]er the report|[Aa]ccording to the report|[Tt]he report "
    r"(?:further |also )?(?:added|noted|said|says|stated|showed|claimed|revealed|suggested|indicated|"
    r"mentioned|cited)))\b"
    rf"|(?P<source_report>\b(?:an?|the) (?P<report_name>{_NAME}) {_REPORT_NOUN}\b)"
    rf"|(?P<according>\b[Aa]ccording to (?P<according_source>{_NAME}|people familiar with the matter|"
    r"(?:two |three |several )?(?:people|sources|persons?) (?:familiar|close|with knowledge)[^,.;]{0,40}))"
    r"|(?P<company_said>\b[Tt]he company (?:said|says|noted|added|stated|announced|confirmed)\b)"
    r"|(?P<said_by>(?<=[,\"”'’] )said "
    rf"(?:{_ROLE_BEFORE_NAME})?(?P<said_speaker>{_NAME})))"
)
# "Reuters reported", "Kelly Ortberg said", "Target Corp ( TGT.N ) on Thursday said": found from the verb,
# then the name looked up just before it (scanning for names first would try every capitalised word).
# Every match starts with a space or "(": the lookahead skips other positions in one step (2x faster).
_SPEAKER_VERB = re.compile(
    r"(?=[ (])(?: ?\( ?[A-Z]{1,5}\.[A-Z]{1,2} ?\))?(?: on [A-Z][a-z]+day)? (?:first )?"
    r"(?P<verb>reported|reports|said|says|told|noted|stated|announced|confirmed|wrote)\b"
)
_NAME_BEFORE = re.compile(  # a name starts with a capital: the lookahead skips other positions fast
    rf"(?=[A-Z])(?<![\w&'’.-]){_NAME}(?:(?:(?<=Inc)|(?<=Co)|(?<=Corp)|(?<=Ltd))\.)?$"
)  # "Apple Inc." too
# Dates run into a name before "said" ("on Thursday said", "an April New York Times report") are no speaker.
_LEADING_DATE = re.compile(
    r"^(?:(?:January|February|March|April|June|July|August|September|October|November|December|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b ?)+"
)
_SPEAKER_REACH = 80
_NAMED_SOURCE = {
    "named_report": "report_source",
    "source_report": "report_name",
    "according": "according_source",
    "said_by": "said_speaker",
}
_SETS_REPORT = frozenset({"named_report", "reported", "source_report"})
_HEDGES = [
    "reportedly", "allegedly", "plan", "plans", "planned", "planning", "could", "may", "might", "would",
    "sought", "seek", "seeks", "seeking", "expect", "expects", "expected", "expecting", "aim", "aims",
    "aiming", "intend", "intends", "intended", "consider", "considers", "considering", "likely", "potential",
    "potentially", "possibly", "rumored", "rumoured", "weighs", "weighing", "mulls", "mulling", "estimate",
    "estimates", "anticipate", "anticipates", "forecast", "forecasts",
]  # fmt: skip
_ANAPHORS = [
    f"{the} {noun}"
    for the in ("The", "the")
    for noun in (
        "company", "firm", "automaker", "carmaker", "EV maker", "chipmaker", "retailer", "lender", "insurer",
        "airline", "group", "conglomerate", "tech giant", "giant", "drugmaker", "stock",
    )
] + ["Its shares", "its shares", "Its stock", "its stock"]  # fmt: skip
# Hedges and subject anaphors ("May" the month is not a hedge, "may" is), found in one automaton pass
# with the gazetteer (see `extract`).
KEYWORDS = (
    [(word, word) for word in _HEDGES]
    + [(word.capitalize(), word) for word in _HEDGES if word != "may"]
    + [(phrase, None) for phrase in _ANAPHORS]
)
# A cheap test before the full patterns: one of these is in every sentence they are run on. Found by
# `extract`'s one automaton pass over the article, inside words too ("ccording"). No hint can span two
# sentences: each ends in punctuation or at a line break, and no hint holds either.
ATTRIBUTION_HINTS = [
    (hint, None)
    for hint in (
        "ccording", "report", "said", "says", "told", "noted", "stated", "announced", "confirmed", "wrote",
        "per the",
    )
]  # fmt: skip
# The leading lookahead (letters that can start a match) lets the scan skip other positions quickly.
_FUTURE = re.compile(
    r"(?=[abcefgmnopqtwy])\b(?:will|expects?|expected|expecting|forecasts?|forecasted|projects?|projected|projecting|guidance|"
    r"outlook|anticipates?|anticipated|targets?|aims? to|plans? to|estimates?|estimated|"
    r"next (?:year|quarter|month|week|fiscal year)|coming (?:year|quarter|months)|by 20\d\d)\b",
    re.IGNORECASE,
)
# A digit starting a number that is not a bare year ("2024"). The digit comes first and the tests look
# back at it, so the scan jumps from digit to digit (2x faster than testing every position).
_NUMBER = re.compile(r"\d(?<![\w.]\d)(?<!(?=(?:19|20)\d\d\b)\d)")
_COMPANY_ROLE = re.compile(
    r"\b(?:CEO|CFO|[Cc]hief [Ee]xecutive|[Ff]ounder|[Cc]o-founder|[Cc]hairman|[Cc]hairwoman)\b"
)
_BOILERPLATE = re.compile(
    r"(?:Disclaimer|Also Read|Read Next|Read More|See Also|Related|Photo|Image|Price Action|Click here|"
    r"Subscribe|Sign up|Copyright|©|\(?Reporting by|Editing by|Writing by|Follow)\b",
    re.IGNORECASE,
)
_MIN_WORDS = 4


def is_forward_looking_numeric(text: str, start: int = 0, end: int | None = None) -> bool:
    """A number (not a bare year) and future wording in `text[start:end]`: a forward-looking numeric claim."""
    end = len(text) if end is None else end
    return _NUMBER.search(text, start, end) is not None and _FUTURE.search(text, start, end) is not None


def _speaker(name: str) -> str:
    """The name without leading dates: "April New York Times" -> "New York Times"; "" for "Thursday"."""
    return _LEADING_DATE.sub("", name)


def _attributions(text: str, start: int, end: int) -> list[tuple[int, str, str, str | None]]:
    """A sentence's attributions as (position, kind, words, named source), in text order."""
    found = []
    for match in _ATTRIBUTION.finditer(text, start, end):
        kind = match.lastgroup
        named = _speaker(match.group(_NAMED_SOURCE[kind])) if kind in _NAMED_SOURCE else None
        if named != "":
            found.append((match.start(), kind, match.group(), named))
    for verb in _SPEAKER_VERB.finditer(text, start, end):
        name = _NAME_BEFORE.search(text, max(start, verb.start() - _SPEAKER_REACH), verb.start())
        if name is not None and (speaker := _speaker(name.group())):
            kind = "reported" if verb.group("verb").startswith("report") else "said"
            found.append((name.start(), kind, text[name.start() : verb.end()], speaker))
    found.sort()
    return found


def _affiliated_surnames(
    text: str, sentences: Sentences, people: list[list[Entity]], subject_refs: list[bool]
) -> set[str]:
    """Surnames of the subject's executives: people named with a company role where the subject is."""
    surnames = set()
    for i, (start, end) in enumerate(sentences.spans):
        if people[i] and subject_refs[i] and _COMPANY_ROLE.search(text, start, end):
            surnames.update(person.text.split()[-1] for person in people[i])
    return surnames


def find_claims(
    text: str, sentences: Sentences, mentions: list[TickerMention], entities: list[Entity],
    amounts: list[Amount], primary: list[Listing], skip: set[int],
    keywords: list[tuple[int, int, str | None]], hints: list[tuple[int, int, None]],
) -> list[Claim]:  # fmt: skip
    """Claims in text order. `primary` are the article's subjects; `skip` holds price-note sentences;
    `keywords` and `hints` the `KEYWORDS` and `ATTRIBUTION_HINTS` found in the text, as
    `find_phrase_sets` gives them."""
    if not mentions and not primary:
        return []  # no sentence can be about a company
    mentions_by_sentence = sentences.group(mentions, lambda m: m.start)
    people = sentences.group((e for e in entities if e.label == "PERSON"), lambda e: e.start)
    anaphors = sentences.group((k[0] for k in keywords if k[2] is None), lambda position: position)
    hedges = sentences.group((k for k in keywords if k[2] is not None), lambda k: k[0])
    with_amounts = {sentences.index_of(a.start) for a in amounts}
    primary_keys = {m.company_key for m in primary}
    subject_refs = [
        bool(anaphors[i]) or any(m.company_key in primary_keys for m in mentions_by_sentence[i])
        for i in range(len(sentences.spans))
    ]
    executives = _affiliated_surnames(text, sentences, people, subject_refs) if primary else set()
    hinted = {sentences.index_of(start) for start, _, _ in hints}
    attributions = [
        _attributions(text, start, end) if i in hinted else []
        for i, (start, end) in enumerate(sentences.spans)
    ]
    company_name = primary[0].name if primary else None
    last_report: str | None = None
    claims = []
    for i, (start, end) in enumerate(sentences.spans):
        attribution = source = None
        for _, kind, words, named in attributions[i]:
            if kind in _SETS_REPORT:
                last_report = named
            if attribution is None:
                attribution = words
                source = named or (last_report if kind == "report_coref" else company_name)
        if i in skip:
            continue
        references = [(m.start, m.symbol) for m in mentions_by_sentence[i]]
        implied = anaphors[i] + [p.start for p in people[i] if p.text.split()[-1] in executives]
        if not references and (attribution or hedges[i]):
            implied.append(start)
        references += [(position, m.symbol) for position in implied for m in primary]
        if not references:
            continue
        sentence = text[start:end]
        if _BOILERPLATE.match(sentence) or len(sentence.split()) < _MIN_WORDS:
            continue
        tickers = tuple(dict.fromkeys(symbol for _, symbol in sorted(references)))
        hedge_words = tuple(dict.fromkeys(word for _, _, word in hedges[i]))
        # With an amount any future wording will do; else a number must be there too.
        forward = (
            _FUTURE.search(text, start, end) is not None
            if i in with_amounts
            else is_forward_looking_numeric(text, start, end)
        )
        claims.append(Claim(sentence, source, attribution, hedge_words, tickers, forward, start, end))
    return claims
