"""The survey questions lagesbild knows: for each, the id and short Swedish label the report publishes, the Brå
NTU indicator it is compared with, the words by which a survey's question text is recognised, and the answer
scale by which its answers are sorted into yes, no and left out.

``lagesbild survey suggest`` uses this to propose ``[[survey.indicators]]`` tables; the user reviews them.
The ids, labels and NTU links are those of the demo's mapping (data/demo/lagesbild.toml), so that a
suggestion for any kommun reads as the demo does.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum


class Scale(Enum):
    """How a question's answers count: which answers are "yes" (the share the indicator shows)."""

    UNSAFE = "unsafe"  # trygg/otrygg: yes = otrygg, or never goes out because of it
    OFTEN = "often"  # how often: yes = (very/fairly) often
    YES_NO = "yes_no"  # ja/nej: yes = ja, in any form ("Ja, flera gånger")
    BIG_PROBLEM = "big_problem"  # how big a problem: yes = fairly or very big
    HIGH_TRUST = "high_trust"  # how much trust: yes = fairly or very much


@dataclass(frozen=True)
class KnownIndicator:
    id: str
    label: str  # the published text: short, Swedish, never the survey's raw column header
    ntu: str | None  # the Brå NTU indicator shown beside it
    scale: Scale
    words: tuple[tuple[str, ...], ...]  # every group must have a word in the question text
    never: tuple[str, ...] = ()  # none of these may be in it

    def matches(self, question: str) -> int:
        """How well ``question`` (a column header) fits: the number of word groups found, 0 for no fit."""
        text = normalise(question)
        if any(word in text for word in self.never):
            return 0
        if all(any(word in text for word in group) for group in self.words):
            return len(self.words)
        return 0


def normalise(text: str) -> str:
    """Lower case, one space between words, punctuation as spaces, with a space at both ends so that
    " word " finds whole words."""
    text = unicodedata.normalize("NFC", text).casefold().replace("’", "'")
    return " " + " ".join(re.sub(r"[^\w'+/-]+", " ", text).split()) + " "


_WORRY = ("orolig", " oro ", "oroar", "worr", "rädd", "afraid", "fear")
_PROBLEM = ("problem",)

CATALOGUE: tuple[KnownIndicator, ...] = (
    KnownIndicator(
        "otrygg_kvall",
        "Otrygg ute ensam sent en kväll i bostadsområdet",
        "otrygghet_vid_utevistelse_sent_pa_kvallen_i_det_egna_bostadsomradet",
        Scale.UNSAFE,
        (("trygg", "safe"), ("kväll", "kvall", "natt", "evening", "night", "dark", "mörk")),
    ),
    KnownIndicator(
        "oro_brott",
        "Orolig för att utsättas för brott (ganska eller mycket ofta)",
        None,
        Scale.OFTEN,
        (_WORRY, ("brott", "crime")),
        never=("avst", "aktivitet", "activit", "väg", "route", "färdsätt", "inbrott", "burglar", "misshandel"),
    ),
    KnownIndicator(
        "avstatt_aktivitet",
        "Avstått från en aktivitet av oro för brott",
        "avstatt_fran_nagon_aktivitet_pa_grund_av_oro_for_att_utsattas_for_brott",
        Scale.YES_NO,
        (("avstått", "avstatt", "avstod", "avstå", "refrain", "avoid", "abstain", "gave up", "given up"),),
        never=("väg", "route", "färdsätt", "way "),
    ),
    KnownIndicator(
        "annan_vag",
        "Valt annan väg eller annat färdsätt av oro för brott",
        "valt_en_annan_vag_eller_ett_annat_fardsatt_pa_grund_av_oro_for_att_utsattas_for_brott",
        Scale.YES_NO,
        (("annan väg", "annat färdsätt", "omväg", "route", "another way", "different way", "other way"),),
    ),
    KnownIndicator(
        "utsatt_vald_hot",
        "Utsatt för misshandel eller hot om våld",
        None,
        Scale.YES_NO,
        (("misshandel", "misshandlad", "våld", "hot om", "hotad", "assault", "violence", "threat"),),
        never=(*_WORRY, *_PROBLEM, "trygg", "safe"),
    ),
    KnownIndicator(
        "utsatt_inbrott_stold",
        "Utsatt för inbrott eller stöld (hushållet)",
        None,
        Scale.YES_NO,
        (("inbrott", "stöld", "stulen", "stulet", "stulit", "burglar", "theft", "stolen", "break-in"),),
        never=(*_WORRY, *_PROBLEM, "trygg", "safe"),
    ),
    KnownIndicator(
        "utsatt_skadegorelse",
        "Utsatt för skadegörelse på egendom",
        None,
        Scale.YES_NO,
        (("skadegörelse", "vandalis", "damage", "förstör"),),
        never=(*_WORRY, *_PROBLEM, "trygg", "safe"),
    ),
    KnownIndicator(
        "problem_skadegorelse",
        "Stort problem: skadegörelse och klotter",
        "problem_med_skadegorelse_i_det_egna_bostadsomradet",
        Scale.BIG_PROBLEM,
        (_PROBLEM, ("skadegörelse", "klotter", "vandalis", "graffiti")),
    ),
    KnownIndicator(
        "problem_alkohol_droger",
        "Stort problem: personer påverkade av alkohol eller droger",
        "problem_med_personer_paverkade_av_alkohol_eller_droger_i_det_egna_bostadsomradet",
        Scale.BIG_PROBLEM,
        (_PROBLEM, ("alkohol", "alcohol", "berusad", "påverkade", "drunk", "intoxicated", "influence")),
    ),
    KnownIndicator(
        "problem_narkotikahandel",
        "Stort problem: öppen narkotikahandel",
        "problem_med_oppen_narkotikahandel_i_det_egna_bostadsomradet",
        Scale.BIG_PROBLEM,
        (_PROBLEM, ("narkotikahandel", "knarkhandel", "langning", "drug deal", "dealing", "selling drugs")),
    ),
    KnownIndicator(
        "problem_trafik",
        "Stort problem: fortkörning och störande trafik",
        "problem_med_fortkorning_i_det_egna_bostadsomradet",
        Scale.BIG_PROBLEM,
        (_PROBLEM, ("fortkörning", "trafik", "traffic", "speeding", "buskörning")),
    ),
    KnownIndicator(
        "fortroende_polisen",
        "Stort förtroende för polisens arbete i kommunen",
        None,
        Scale.HIGH_TRUST,
        (("förtroende", "tillit", "trust", "confidence"), ("polis", "police")),
    ),
)

# Answers that are left out of every indicator's denominator.
_NO_ANSWER = (
    "vet ej",
    "vet inte",
    "ingen uppfattning",
    "ingen åsikt",
    "vill ej svara",
    "vill inte svara",
    "vill inte uppge",
    "ej aktuell",
    "inte aktuell",
    "kan inte svara",
    "don't know",
    "dont know",
    "do not know",
    "no opinion",
    "not applicable",
    "n/a",
    "prefer not",
    "rather not",
)
_NEVER_OUT = ("går aldrig ut", "går inte ut", "never go", "don't go out", "do not go out", "never walk")
_BECAUSE_UNSAFE = ("otrygg", "rädsla", "rädd", " oro ", "unsafe", "fear", "afraid", "not safe")
_OTHER_REASONS = ("andra skäl", "annat skäl", "andra orsaker", "other reason")
_LOW = (
    "inget",
    "inga ",
    "inte ",
    "litet",
    "liten",
    "lågt",
    "varken",
    " no ",
    " not ",
    "none",
    "neither",
    "small",
    "minor",
    "little",
    "low",
)
_HIGH = ("stort", "stor ", "högt", "big", "large", "serious", "major", "high", "great", " much", "a lot")


def classify(scale: Scale, answer: str) -> str | None:
    """ "yes", "no", "exclude" (left out of the denominator), or None when the words do not tell."""
    text = normalise(answer)
    if any(word in text for word in _NEVER_OUT):  # "never goes out": because of fear counts as unsafe
        if scale is Scale.UNSAFE and any(word in text for word in _BECAUSE_UNSAFE):
            return "yes"
        return "exclude" if any(word in text for word in _OTHER_REASONS) else None
    if any(word in text for word in _NO_ANSWER):
        return "exclude"
    if scale is Scale.UNSAFE:
        if any(word in text for word in ("otrygg", "unsafe", "not safe", "not very safe", "not at all safe")):
            return "yes"
        return "no" if any(word in text for word in ("trygg", "safe")) else None
    if scale is Scale.OFTEN:  # how often, or how worried: "Ganska ofta", "Mycket orolig" are yes
        if any(word in text for word in ("sällan", "aldrig", "rarely", "seldom", "never", "inte ", " not ")):
            return "no"
        yes = ("ofta", "often", "always", "alltid", "orolig", "worried")
        return "yes" if any(word in text for word in yes) else None
    if scale is Scale.YES_NO:
        if re.match(r" (ja|yes)\b", text):
            return "yes"
        return "no" if re.match(r" (nej|no)\b", text) else None
    # BIG_PROBLEM and HIGH_TRUST: a low or middle answer first, since "Mycket litet" holds "mycket"
    if any(word in text for word in _LOW):
        return "no"
    return "yes" if any(word in text for word in _HIGH) else None
