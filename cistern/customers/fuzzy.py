"""Close matches for a misspelled word: PostgreSQL pg_trgm's trigram similarity, in plain Python, and which
close words a typing error could have made (`corrections`). Pure.

pg_trgm cuts a string into words of letters and digits, lower-cases each, pads it with two spaces before and
one after, and takes the set of its three-character runs; the similarity of two strings is the number of
trigrams they share divided by the number the two have together (0 to 1). "jonson" and "johnson" share
"  j", " jo", "nso", "son", "on " of their 10 together: 0.5. pg_trgm's `%` operator answers true from 0.3
(`pg_trgm.similarity_threshold`), the threshold search uses on both engines (SIMILARITY_THRESHOLD).
"""

import re

from rapidfuzz.distance import OSA

SIMILARITY_THRESHOLD = 0.3
_WORDS = re.compile(r"[^\W_]+")


def trigrams(text: str) -> frozenset[str]:
    out: set[str] = set()
    for word in _WORDS.findall(text.lower()):
        padded = f"  {word} "
        out.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(out)


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(a, b)."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    shared = len(ta & tb)
    return shared / (len(ta) + len(tb) - shared)


def close_words(word: str, candidates, limit: int, threshold: float = SIMILARITY_THRESHOLD) -> list[str]:
    """The `limit` candidates most similar to `word` (at least `threshold`), best first, `word` itself left
    out; ties in alphabetical order."""
    target = trigrams(word)
    if not target:
        return []
    scored = []
    for candidate in candidates:
        if candidate == word:
            continue
        other = trigrams(candidate)
        shared = len(target & other)
        if shared:
            score = shared / (len(target) + len(other) - shared)
            if score >= threshold:
                scored.append((-score, candidate))
    scored.sort()
    return [candidate for _, candidate in scored[:limit]]


TYPING_ERRORS = (
    2  # edits (a letter added, dropped or changed, two neighbours swapped) between typed and meant
)


def corrections(word: str, close: list[str]) -> list[str]:
    """The words of `close` (best first) that could be the word meant, in the same order: at most
    TYPING_ERRORS edits away (optimal string alignment: "jonson" is one from "johnson"; "san" is similar to
    "sandes" and "anderson" to "hennderson", but three edits away, and each is in tens of thousands of accounts),
    and holding neither `word` nor another of them: search matches words anywhere in the text, so "johnson"
    already finds every account "jamesjohnson" (an e-mail's name) would, and each alternative left out is one
    branch fewer in the index lookup."""
    near = [c for c in close if OSA.distance(word, c, score_cutoff=TYPING_ERRORS) <= TYPING_ERRORS]
    shorter = [word, *near]
    return [c for c in near if not any(other != c and other in c for other in shorter)]
