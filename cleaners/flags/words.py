"""Word classes and lemmas: the closed-class English the clause analyser needs.

Only function words are listed here (auxiliaries, determiners, prepositions, clause breaks):
they are a closed class, so listing them does not limit which predicates a claim may have.
Lemmas come from simplemma, which ships its data (nothing is downloaded at run time).
"""

from __future__ import annotations

import functools
import re

import simplemma

IRREGULAR = {
    "won": "win", "lost": "lose", "rose": "rise", "risen": "rise", "grew": "grow", "grown": "grow", "fell": "fall",
    "fallen": "fall", "forgot": "forget", "forgotten": "forget", "forbade": "forbid", "forbidden": "forbid",
    "barred": "bar", "banned": "ban", "n't": "not", "wo": "will", "ca": "can", "taken": "take", "took": "take",
    "shut": "shut", "cut": "cut", "hit": "hit", "let": "let", "quit": "quit", "beat": "beat", "beaten": "beat",
    "saw": "see", "seen": "see", "made": "make", "paid": "pay", "sold": "sell", "bought": "buy", "held": "hold",
    "left": "leave", "kept": "keep", "told": "tell", "said": "say", "met": "meet", "led": "lead", "fled": "flee",
    "sent": "send", "spent": "spend", "built": "build", "found": "find", "brought": "bring", "caught": "catch",
    "fought": "fight", "thought": "think", "taught": "teach", "sought": "seek", "began": "begin", "begun": "begin",
    "broke": "break", "broken": "break", "chose": "choose", "chosen": "choose", "drove": "drive", "driven": "drive",
    "gave": "give", "given": "give", "knew": "know", "known": "know", "spoke": "speak", "spoken": "speak",
    "stole": "steal", "stolen": "steal", "wrote": "write", "written": "write", "threw": "throw", "thrown": "throw",
    "withdrew": "withdraw", "withdrawn": "withdraw", "heard": "hear", "went": "go", "gone": "go", "did": "do",
    "done": "do", "was": "be", "were": "be", "is": "be", "are": "be", "been": "be", "am": "be", "has": "have",
    "had": "have", "got": "get", "gotten": "get", "lay": "lay", "laid": "lay", "struck": "strike", "hid": "hide",
    "hidden": "hide", "shot": "shoot", "stood": "stand", "understood": "understand", "won't": "will",
}

BE = {"be", "is", "are", "was", "were", "been", "being", "am", "'s", "’s", "get", "gets", "got", "getting", "gotten"}
HAVE = {"have", "has", "had", "having", "'ve", "’ve"}
DO = {"do", "does", "did"}
MODALS = {"may", "might", "could", "would", "should", "must", "shall", "will", "can", "wo", "ca", "'d", "’d",
          "'ll", "’ll", "ought", "cannot"}
ADVERBS = {
    "reportedly", "allegedly", "apparently", "also", "still", "even", "just", "already", "repeatedly", "again",
    "now", "simply", "really", "effectively", "actually", "officially", "so", "far", "yet", "ever", "once",
    "always", "consistently", "flatly", "publicly", "initially", "previously", "recently", "finally",
    "subsequently", "later", "quickly", "immediately", "openly", "formally", "swiftly", "reluctantly",
    "eventually", "ultimately", "briefly", "certainly", "clearly", "obviously", "indeed", "too", "currently",
    "only", "completely", "entirely", "totally", "fully", "largely", "partly", "unanimously",
    "overwhelmingly", "narrowly", "firmly", "strongly", "explicitly", "directly", "personally", "deliberately",
    "intentionally", "conspicuously", "suddenly", "abruptly", "unexpectedly", "quietly", "secretly", "then",
    "both", "either", "actively", "passively", "altogether", "twice", "newly",
}
# Words whose presence anywhere before a predicate in its sentence makes it hypothetical.
CONDITIONALS = {"if", "unless", "whether", "lest", "suppose", "supposing", "assuming", "provided", "providing"}
DETERMINERS = {
    "the", "a", "an", "this", "that", "these", "those", "its", "his", "her", "their", "our", "my", "your", "some",
    "any", "all", "every", "each", "both", "several", "many", "much", "few", "more", "most", "such", "another",
    "other", "single", "own", "same", "whose", "what", "which", "certain", "various", "enough", "either", "no",
    "fewer", "less", "lot", "lots", "plenty",
}
PRONOUNS = {"i", "we", "you", "he", "she", "it", "they", "me", "him", "them", "us", "this", "that", "these",
            "those", "one", "there", "who", "which", "what", "someone", "somebody", "something", "anyone",
            "anybody", "anything", "everyone", "everybody", "everything", "itself", "themselves", "himself",
            "herself", "myself", "ourselves", "yourself"}
SUBJECT_PRONOUNS = {"i", "we", "you", "he", "she", "it", "they"}
PREPOSITIONS = {
    "to", "for", "from", "in", "on", "at", "by", "with", "of", "after", "before", "over", "into", "about",
    "against", "during", "under", "until", "through", "across", "between", "among", "amid", "amidst", "within",
    "toward", "towards", "near", "out", "off", "up", "down", "around", "despite", "per", "via", "onto", "upon",
    "like", "than", "as", "behind", "beyond", "along", "beside", "besides", "inside", "outside", "throughout",
    "since", "following", "including", "except", "above", "below", "away", "back",
}
CLAUSE_WORDS = {"and", "but", "or", "nor", "while", "although", "though", "whereas", "because", "since", "so",
                "that", "which", "who", "whom", "whose", "where", "when", "whether", "if", "unless", "then",
                "as", "after", "before", "until", "yet", "once", "how", "why", "what", "whereby", "however"}
PUNCTUATION_BREAKS = {".", "!", "?", ",", ";", ":", "(", ")", '"', "“", "”", "—", "–", "-", "[", "]", "…", "«", "»"}
QUOTES = {'"', "“", "”", "«", "»", "‘", "’"}
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "fifty": 50, "hundred": 100}
FUNCTION_WORDS = (BE | HAVE | DO | MODALS | DETERMINERS | PRONOUNS | PREPOSITIONS | CLAUSE_WORDS | ADVERBS
                  | {"not", "n't", "never", "no", "to", "mr", "mrs", "ms", "dr", "new", "said", "says", "say"})
# After one of these (and one space) a word is a noun, never a predicate (claims.is_predicate);
# the headline keys skip it ("the ban", "for visas"), in Python and in polars alike.
NOT_BEFORE_PREDICATES = frozenset((DETERMINERS | PREPOSITIONS) - {"to", "from"})
# Title words stand before a name and are not the name ("Mayor Jane Ortiz").
TITLES = {"mayor", "governor", "senator", "judge", "president", "minister", "chief", "executive", "coach",
          "novelist", "king", "queen", "prince", "general", "captain", "sir", "dame", "lord", "mr", "mrs", "ms",
          "dr", "prof", "professor", "rep", "sen", "gov", "secretary", "chancellor", "premier", "director",
          "chairman", "chairwoman", "leader", "commissioner", "ambassador", "pope", "father", "officer", "sheriff"}


@functools.lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The lower-case lemma of a word ("Denies" → "deny"); acronyms ("US", "IS") stay as they are."""
    if len(word) > 1 and word.isupper() and word.isalpha():
        return word
    lower = word.lower()
    if lower.endswith(("'s", "’s")) and len(lower) > 3:
        lower = lower[:-2]
    irregular = IRREGULAR.get(lower)
    if irregular:
        return irregular
    if not lower.isalpha():
        return lower
    return simplemma.lemmatize(lower, lang="en")


# ------------------------------------------------------------------ keys shared with the prefilter
# A *key* is a crude stem that the polars prefilter can compute with the same regexes as Python:
# two forms of one lemma get one key ("denies", "denied", "deny" → "deny"). It only has to be
# consistent, not linguistically right: it decides which lines are worth reading.
_IRREGULAR_VERBS = """
arise arose arisen|awake awoke awoken|bear bore borne|beat beat beaten|become became become|begin began begun
bend bent bent|bet bet bet|bid bid bid|bind bound bound|bite bit bitten|bleed bled bled|blow blew blown
break broke broken|breed bred bred|bring brought brought|build built built|burn burnt burnt|burst burst burst
buy bought bought|cast cast cast|catch caught caught|choose chose chosen|cling clung clung|come came come
cost cost cost|creep crept crept|cut cut cut|deal dealt dealt|dig dug dug|do did done|draw drew drawn
drink drank drunk|drive drove driven|eat ate eaten|fall fell fallen|feed fed fed|feel felt felt
fight fought fought|find found found|flee fled fled|fly flew flown|forbid forbade forbidden
forecast forecast forecast|foresee foresaw foreseen|forget forgot forgotten|forgive forgave forgiven
freeze froze frozen|get got gotten|give gave given|go went gone|grind ground ground|grow grew grown
hang hung hung|have had had|hear heard heard|hide hid hidden|hit hit hit|hold held held|hurt hurt hurt
keep kept kept|kneel knelt knelt|know knew known|lay laid laid|lead led led|lean leant leant|leap leapt leapt
learn learnt learnt|leave left left|lend lent lent|let let let|lie lay lain|light lit lit|lose lost lost
make made made|mean meant meant|meet met met|mislead misled misled|mistake mistook mistaken|overcome overcame overcome
overtake overtook overtaken|overthrow overthrew overthrown|pay paid paid|prove proved proven|put put put
quit quit quit|read read read|rebuild rebuilt rebuilt|rid rid rid|ride rode ridden|ring rang rung|rise rose risen
run ran run|say said said|see saw seen|seek sought sought|sell sold sold|send sent sent|set set set
shake shook shaken|shed shed shed|shine shone shone|shoot shot shot|show showed shown|shrink shrank shrunk
shut shut shut|sing sang sung|sink sank sunk|sit sat sat|sleep slept slept|slide slid slid|speak spoke spoken
speed sped sped|spend spent spent|spin spun spun|split split split|spread spread spread|spring sprang sprung
stand stood stood|steal stole stolen|stick stuck stuck|sting stung stung|strike struck struck|strive strove striven
swear swore sworn|sweep swept swept|swim swam swum|swing swung swung|take took taken|teach taught taught
tear tore torn|tell told told|think thought thought|throw threw thrown|understand understood understood
undertake undertook undertaken|undo undid undone|uphold upheld upheld|upset upset upset|wake woke woken
wear wore worn|weave wove woven|weep wept wept|win won won|wind wound wound|withdraw withdrew withdrawn
withhold withheld withheld|withstand withstood withstood|write wrote written|be was been|be were been
"""
#: Irregular past forms → base, for prefilter keys (Python and polars apply the same table).
KEY_IRREGULAR = {form: parts.split()[0] for parts in _IRREGULAR_VERBS.replace("\n", "|").split("|") if parts.strip()
                 for form in parts.split()[1:] if form != parts.split()[0]}
KEY_IRREGULAR.update({"n't": "not", "wo": "will", "ca": "can"})
_WORD = re.compile(r"[a-z]+")


@functools.lru_cache(maxsize=200_000)
def key(word: str) -> str:
    """The prefilter key of a lower-case word: irregular forms to their base, then one
    inflectional suffix off, a final y as i, a doubled final consonant single ("denies",
    "denied", "deny", "denying" → "deni"; "stopped" → "stop"). Polars computes the same."""
    word = KEY_IRREGULAR.get(word, word)
    word = re.sub(r"(?:ing|ed|es|s|e)$", "", word)
    word = re.sub(r"y$", "i", word)
    if len(word) > 2 and word[-1] == word[-2] and word[-1] in DOUBLING:
        word = word[:-1]
    return word


DOUBLING = frozenset("bcdfgklmnprstvz")


def words_of(text: str) -> list[str]:
    """The lower-case alphabetic words of a text, as the prefilter splits them."""
    return _WORD.findall(text.lower())


def third_person(verb: str) -> str:
    """``deny`` → ``denies``, ``be`` → ``is``: to say what a claim amounts to."""
    if verb == "be":
        return "is"
    if verb == "have":
        return "has"
    if verb.endswith(("s", "x", "z", "ch", "sh", "o")):
        return verb + "es"
    if verb.endswith("y") and len(verb) > 2 and verb[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"
