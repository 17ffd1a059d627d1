"""Flag sentences whose meaning contradicts the headline, each with a plain-English reason.

Article spinners turn "the US denied visas" into "the US is refusing to deny them entry": two
negative operators whose net meaning (the US lets them in) contradicts the headline. The
package reads *claims* for any verb or predicative adjective — (subject, predicate lemma,
complement, net polarity, asserted or not) — and flags a body claim whose predicate (or an
antonym), subject and object match a headline claim's and whose asserted polarity is opposite.

Modules: :mod:`~cleaners.flags.lexicon` (the data file: operator signatures, antonym families,
idioms, aliases), :mod:`~cleaners.flags.words` (closed-class words, lemmas, prefilter keys),
:mod:`~cleaners.flags.phrases` (noun phrases and complements), :mod:`~cleaners.flags.claims`
(the clause analyser), :mod:`~cleaners.flags.match` (who and what), :mod:`~cleaners.flags.rules`
(conflicts and explanations), :mod:`~cleaners.flags.quantities` (numeric conflicts),
:mod:`~cleaners.flags.cues` (necessary conditions), :mod:`~cleaners.flags.document` (one
document) and :mod:`~cleaners.flags.prefilter` (the polars table step).
"""

from cleaners.flags.claims import Claim, analyse, compose
from cleaners.flags.cues import cue_pattern, double_negation_pattern, line_is_read
from cleaners.flags.document import flag_document
from cleaners.flags.lexicon import Lexicon, load_lexicon
from cleaners.flags.prefilter import flag_documents
from cleaners.flags.quantities import quantities_in

__all__ = ["Claim", "Lexicon", "analyse", "compose", "cue_pattern", "double_negation_pattern", "flag_document",
           "flag_documents", "line_is_read", "load_lexicon", "quantities_in"]
