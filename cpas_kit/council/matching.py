"""Matching a paragraph's figures to the store, and the paragraph's class.

A figure is **informed by data** when a series its sentence is about (see :meth:`Series.topic_score`) holds a value
for the time the sentence or paragraph refers to (else the report's cycle), in the total or a cell the sentence names
("women", an area), equal to the figure within the stated tolerance: rounding of the figure as written ("45 per cent"
for 45.2, "1,200" for 1,187), the qualifier ("some 60" ±10 %, "more than 50", "nearly 60"), and a relative tolerance
(``--tolerance``). It **contradicts the data** when the series its words are closest to (the name's words within a
dozen words of the figure) has a value for that time and cell and no such series matches: the most valuable finding.
A paragraph without a matched figure whose words are about series with data for its time **could be informed**.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from cpas_kit.core.periods import Period
from cpas_kit.council.figures import Figure, TimeRef, find_figures, fold, time_references
from cpas_kit.council.sources import Series, Value
from cpas_kit.council.topics import STOP, content_stems, stem

CLASSES = ("informed", "contradicts", "could_be_informed", "no_data_topic")
_WINDOW = 12  # words either side of a figure that say what it counts
_SUB_COUNT = re.compile(r"(?:of which|of whom|including|among them|among whom|dont|parmi lesquel\w*|y compris|"
                        r"notamment)\s*(?:some|about|nearly|more than|environ|pres de|plus de)?\s*$")
_AUXILIARIES = {"were", "was", "are", "is", "have", "has", "had", "been", "being", "ont", "sont", "etaient", "etait",
                "a", "ete", "avaient", "avait", "seront", "will", "would"}
_PREPOSITIONS = {"in", "on", "at", "across", "within", "during", "among", "from", "since", "by", "for", "to", "between",
                 "after", "before", "under", "over", "than", "dans", "en", "sur", "au", "aux", "parmi", "pendant",
                 "lors", "depuis", "entre", "par", "pour", "contre", "vers", "chez", "selon", "according"}


def counted_words(fig: Figure, limit: int = 3) -> list[str]:
    """The words naming what a figure counts ("146 civilian deaths" → civilian, deaths; "17 children" → children),
    up to a verb, a preposition or the end of its clause ("rose to 58, from 67 in …" → none)."""
    rest = fig.sentence[fig.end - fig.sentence_start:]
    out: list[str] = []
    for m in re.finditer(r"[^\W\d_]+|[,;:.()«»\"“”]", rest):
        word = m.group(0)
        f = fold(word)
        if not word[0].isalpha() or f in _PREPOSITIONS or f in _AUXILIARIES or len(out) == limit:
            break  # "58 were killed", "15 ont été enregistrés": a verb follows
        if len(f) >= 3 and f not in STOP:
            out.append(f)
    return out


def _counts_it(series: Series, words: list[str]) -> bool:
    """A word of what the figure counts is a word of the series' name or names one of its cells (or there is none)."""
    if not words:
        return True
    return any(stem(w) in series.keywords or any(w in cat for v in series.values for cat in v.cell_words)
               for w in words)


@dataclass
class Match:
    """A figure (or, for a paragraph that could be informed, none) and the stored value it was compared with."""

    cls: str  # informed, contradicts, could_be_informed
    series: Series
    value: Value
    figure: Figure | None = None


@dataclass
class ParagraphResult:
    """A paragraph's class, its figures and what they matched."""

    cls: str
    figures: list[Figure] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    topics: list[Series] = field(default_factory=list)


def rounding_tolerance(figure: Figure) -> float:
    """How far a stored value may be from the figure as written and still round to it."""
    if figure.decimals:
        return 0.5 * 10 ** -figure.decimals
    v = int(round(abs(figure.value)))
    zeros = 0
    while v >= 100 and v % 10 == 0:
        v //= 10
        zeros += 1
    return 0.5 * 10 ** zeros if zeros else 0.5


def value_matches(figure: Figure, stored: float, tolerance: float = 0.0) -> bool:
    """The stored value is what the figure states, given its rounding, its qualifier and ``tolerance`` (relative)."""
    v = figure.value
    slack = rounding_tolerance(figure) + tolerance * abs(v) + 1e-9
    q = figure.qualifier
    if q == "gt":
        return stored > v
    if q == "ge":
        return stored >= v - slack
    if q == "lt":
        return stored < v
    if q == "le":
        return stored <= v + slack
    if q == "nearly":
        return v * 0.9 - slack <= stored <= v + slack
    if q == "approx":
        return abs(stored - v) <= max(0.1 * abs(v), slack)
    return abs(stored - v) <= slack


def _overlaps(value: Value, refs: list[tuple[date, date]]) -> bool:
    if value.start is None:  # a count without a period (the tracker): any time
        return True
    return any(value.start <= end and start <= value.end for start, end in refs)


def _sums(values: list[Value], times: list[tuple[date, date]]) -> list[Value]:
    """For a span longer than a quarter ("in 2023"), the sum of a count's quarterly values over it, per cell, when
    the quarters cover the whole span."""
    out = []
    for start, end in times:
        if (end - start).days < 100:
            continue
        inside: dict[str, list[Value]] = {}
        for v in values:
            if v.start is not None and start <= v.start and v.end <= end and (v.end - v.start).days < 100:
                inside.setdefault(v.cell, []).append(v)
        for cell, parts in inside.items():
            parts.sort(key=lambda v: v.start)
            if sum((v.end - v.start).days + 1 for v in parts) < 0.95 * ((end - start).days + 1):
                continue
            first = parts[0]
            out.append(Value(f"{first.period} – {parts[-1].period}", start, end, cell, first.cell_words,
                             sum(v.value for v in parts), first.source,
                             "verified" if all(v.status == "verified" for v in parts) else "entered",
                             any(v.is_synthetic for v in parts)))
    return out


def _cells_named(value: Value, words: set[str]) -> bool:
    """The value's cell is the total, or every category of it is named in the sentence."""
    return all(category & words for category in value.cell_words)


def _window_stems(start: int, end: int, text: str) -> set[str]:
    """Stems of the words within a dozen words of a figure (at ``start:end`` of ``text``)."""
    before = re.findall(r"\S+", text[:start])[-_WINDOW:]
    after = re.findall(r"\S+", text[end:])[:_WINDOW]
    return content_stems(" ".join(before + after))


class Matcher:
    """Matches the paragraphs of one report against the series of one mission."""

    def __init__(self, series: list[Series], *, language: str, cycle: Period | None, tolerance: float = 0.0):
        self.series = series
        self.language = language
        self.cycle = cycle
        self.tolerance = tolerance
        self.default = [(cycle.start, cycle.end)] if cycle is not None else None

    def _times(self, refs: list[TimeRef], fallback: list[tuple[date, date]] | None) -> list[tuple[date, date]] | None:
        return [(r.start, r.end) for r in refs] or fallback

    def _candidates(self, s: Series, times: list[tuple[date, date]] | None, words: set[str]) -> list[Value]:
        """Values of ``s`` for the times (the latest period when no time is known) and the cells named."""
        values = [v for v in s.values if _cells_named(v, words)]
        if times is not None:
            return [v for v in values if _overlaps(v, times)] + (_sums(values, times) if s.additive else [])
        dated = [v for v in values if v.start is not None]
        if not dated:
            return values
        latest = max(v.start for v in dated)
        return [v for v in values if v.start is None or v.start == latest]

    def paragraph(self, text: str) -> ParagraphResult:
        """Classify one paragraph."""
        figures = find_figures(text, self.language)
        para_refs = time_references(text, self.cycle)
        para_times = self._times(para_refs, self.default)
        para_stems = content_stems(text)
        topics = sorted((s for s in self.series if s.values and s.topic_score(para_stems) > 0),
                        key=lambda s: -s.topic_score(para_stems))
        figures = [f for f in figures if not _in_a_name(f, text, topics)]
        result = ParagraphResult("no_data_topic", figures=figures, topics=topics)
        for fig in figures:
            match = self._figure(fig, text, para_times)
            if match is not None:
                result.matches.append(match)
        classes = {m.cls for m in result.matches}
        if "contradicts" in classes:
            result.cls = "contradicts"
        elif "informed" in classes:
            result.cls = "informed"
        else:
            words = {fold(w) for w in re.findall(r"[^\W\d_]+", text)}
            for s in topics:
                cands = [v for v in self._candidates(s, para_times, words) if v.cell == "" or v.cell_words]
                totals = [v for v in cands if v.cell == ""] or cands
                if totals:
                    latest = max(totals, key=lambda v: (v.start or date.min, v.cell == ""))
                    result.matches.append(Match("could_be_informed", s, latest))
            if result.matches:
                result.cls = "could_be_informed"
                result.matches = result.matches[:5]
        return result

    def _figure(self, fig: Figure, text: str, para_times: list[tuple[date, date]] | None) -> Match | None:
        """Informed, contradicting, or None (the figure is about nothing the store holds)."""
        sentence = fig.sentence
        sent_refs = time_references(sentence, self.cycle)
        times = self._times(sent_refs, para_times)
        sent_stems = content_stems(sentence)
        words = {fold(w) for w in re.findall(r"[^\W\d_]+", sentence)}
        about = [s for s in self.series if s.values and s.is_percent == fig.is_percent and s.topic_score(sent_stems)]
        about.sort(key=lambda s: -s.topic_score(sent_stems))
        counted = counted_words(fig)
        noun = counted[0] if counted else None
        about = [s for s in about if _counts_it(s, counted)]  # "17 children" is not about civilian deaths
        for s in about:
            for v in self._candidates(s, times, words):
                if value_matches(fig, v.value, self.tolerance):
                    return Match("informed", s, v, fig)
        if not about or fig.written and fig.value < 10:
            return None
        part_of = _SUB_COUNT.search(fold(sentence[:fig.start - fig.sentence_start]))
        if part_of and not any(noun in cat for s in about for v in s.values for cat in v.cell_words):
            return None  # "of which 120", "including 17 children": a part of what the sentence counted before
        window = _window_stems(fig.start - fig.sentence_start, fig.end - fig.sentence_start, sentence)
        near = [s for s in about if s.can_contradict and s.topic_score(window) > 0]
        if not near or times is None:
            return None
        focus = near[0]
        if noun is not None and stem(noun) not in (focus.distinct or focus.keywords) \
                and not any(noun in cat for v in focus.values for cat in v.cell_words):
            return None  # "17 armed groups signed": words many indicators share do not say which value it is
        stored = self._candidates(focus, times, words)
        local = set(re.findall(r"[^\W\d_]+", fold(sentence[max(0, fig.start - fig.sentence_start - 25):
                                                              fig.end - fig.sentence_start + 30])))
        named = [v for v in stored if v.cell != "" and all(cat & local for cat in v.cell_words)]
        pick = named or [v for v in stored if v.cell == ""]
        if not pick:
            return None
        nearest = _nearest_time(fig, sent_refs)
        if nearest is not None:
            exact = [v for v in pick if v.start is not None and v.start <= nearest[1] and nearest[0] <= v.end]
            pick = exact or pick
        best = min(pick, key=lambda v: abs(v.value - fig.value))
        return Match("contradicts", focus, best, fig)


def _in_a_name(fig: Figure, text: str, topics: list[Series]) -> bool:
    """The figure is part of the name of an indicator the paragraph is about ("within 24 hours"): not a figure."""
    following = re.match(r"\s*([^\W\d_]+)", text[fig.end:])
    if following is None:
        return False
    phrase = f"{fold(fig.text)} {fold(following.group(1))}"
    return any(phrase in fold(s.name) for s in topics)


def _nearest_time(fig: Figure, refs: list[TimeRef]) -> tuple[date, date] | None:
    """The time a figure refers to: one named just after it ("67 in the previous quarter"), else the last named
    before it in its sentence, else the first after."""
    pos, end = fig.start - fig.sentence_start, fig.end - fig.sentence_start
    if not refs:
        return None
    after = [r for r in refs if end <= r.position <= end + 40]
    before = [r for r in refs if r.position < pos]
    r = after[0] if after else before[-1] if before else refs[0]
    return r.start, r.end
