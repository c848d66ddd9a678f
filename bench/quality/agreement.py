"""Agreement between reference grades and model scores (pure functions, unit-tested in tests/bench/test_quality.py).

Written out instead of importing scipy/sklearn: they are a few lines each, and the bench must run with the
project's own dependencies only.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence


def to_five(score: float, maximum: float, minimum: float = 0.0) -> int:
    """A model's overall score on the 1–5 scale. A schema whose maximum is ≤ 5 already is; a wider one (the
    0–100 overall before contract C1) is cut into five equal bands: 0–19 → 1, 20–39 → 2, … 80–100 → 5."""
    if maximum <= 5:
        return int(min(5, max(1, round(score))))
    width = (maximum - minimum) / 5
    return int(min(5, max(1, 1 + math.floor((score - minimum) / width))))


def ranks(values: Sequence[float]) -> list[float]:
    """Average ranks (1-based), ties sharing the mean of their positions."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    n = len(x)
    if n < 2 or n != len(y):
        return math.nan
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx == 0 or syy == 0:
        return math.nan  # a constant series: no correlation is defined (a model giving everything one score)
    return sxy / math.sqrt(sxx * syy)


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's ρ with ties (Pearson on average ranks); NaN when either side is constant or n < 2."""
    return pearson(ranks(x), ranks(y))


def quadratic_weighted_kappa(reference: Sequence[int], model: Sequence[int], low: int = 1, high: int = 5) -> float:
    """Cohen's kappa with quadratic weights on the `low..high` scale: 1 = perfect agreement, 0 = chance level,
    < 0 = worse than chance. NaN for fewer than 2 pairs or when both raters use a single grade."""
    n = len(reference)
    if n < 2 or n != len(model):
        return math.nan
    k = high - low + 1
    observed = [[0.0] * k for _ in range(k)]
    for a, b in zip(reference, model, strict=True):
        observed[a - low][b - low] += 1
    hist_a = [sum(row) for row in observed]
    hist_b = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    num = den = 0.0
    for i in range(k):
        for j in range(k):
            weight = (i - j) ** 2 / (k - 1) ** 2
            num += weight * observed[i][j]
            den += weight * hist_a[i] * hist_b[j] / n
    if den == 0:
        return math.nan
    return 1 - num / den


def pairwise_ordering(
    groups: Sequence[str], reference: Sequence[float], model: Sequence[float]
) -> tuple[float, int, float]:
    """Within each group (the answers to one question), over every pair whose reference grades differ: the share
    the model orders the same way, a model tie counting half. Returns (accuracy, pairs, share of model ties);
    accuracy is NaN when there is no such pair."""
    by_group: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        by_group[g].append(i)
    pairs = 0
    agree = ties = 0.0
    for members in by_group.values():
        for a_pos, a in enumerate(members):
            for b in members[a_pos + 1 :]:
                if reference[a] == reference[b]:
                    continue
                pairs += 1
                ref_sign = reference[a] > reference[b]
                if model[a] == model[b]:
                    ties += 1
                    agree += 0.5
                elif (model[a] > model[b]) == ref_sign:
                    agree += 1
    if pairs == 0:
        return math.nan, 0, math.nan
    return agree / pairs, pairs, ties / pairs


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else math.nan
