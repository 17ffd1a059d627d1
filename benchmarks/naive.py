"""The naive ways that ``make bench`` measures textwash against, in the same run.

- normalisation: ftfy on every line (``normalise.fast_path = false``: same pipeline otherwise);
- line deduplication: for each document, a Python dict for exact repeats of the line key and
  rapidfuzz over all pairs of its lines for near repeats — what one writes first.
"""

from __future__ import annotations

import polars as pl
from rapidfuzz import fuzz, process

from cleaners.settings import DedupSettings


def naive_in_document_duplicates(lines: pl.DataFrame, settings: DedupSettings) -> pl.DataFrame:
    """Same contract as :func:`cleaners.dedup.in_document_duplicates`, the obvious way.

    ``lines`` needs ``doc_id, line_no, key, numbers_hash`` (non-empty keys). As there, lines whose
    numbers, names or dates differ are never duplicates.
    """
    found: list[tuple[str, int, int, float]] = []
    grouped = (lines.sort("doc_id", "line_no").group_by("doc_id", maintain_order=True)
               .agg("line_no", "key", "numbers_hash"))
    for doc_id, line_numbers, keys, numbers in grouped.iter_rows():
        first_seen: dict[tuple[str, int], int] = {}
        fuzzy_index: list[int] = []
        for index, key in enumerate(keys):
            if (key, numbers[index]) in first_seen:
                found.append((doc_id, line_numbers[index], first_seen[(key, numbers[index])], 100.0))
                continue
            first_seen[(key, numbers[index])] = line_numbers[index]
            if len(key) >= settings.min_fuzzy_chars:
                fuzzy_index.append(index)
        if len(fuzzy_index) < 2:
            continue
        candidates = [keys[i] for i in fuzzy_index]
        scores = process.cdist(candidates, candidates, scorer=fuzz.ratio, score_cutoff=settings.fuzzy_threshold)
        for later in range(1, len(candidates)):
            best, best_score = None, 0.0
            for earlier in range(later):
                if numbers[fuzzy_index[earlier]] != numbers[fuzzy_index[later]]:
                    continue
                score = float(scores[later, earlier])
                if score > best_score:
                    best, best_score = earlier, score
            if best is not None:
                found.append((doc_id, line_numbers[fuzzy_index[later]], line_numbers[fuzzy_index[best]], best_score))
    return pl.DataFrame(found, schema={"doc_id": pl.String, "line_no": pl.Int32, "dup_of_line_no": pl.Int32,
                                       "similarity": pl.Float64}, orient="row")
