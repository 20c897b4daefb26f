"""The reader's vocabulary: response postures and the signals a scenario's modifiers may use.

Postures are the response strategies of the crisis-communication literature
(Coombs's SCCT, Benoit's image repair); see LANGUAGE.md. They live here, at the
bottom layer, so the scenario format can validate them; the reader
(`simulator.language.reader`) holds the phrases that show each one.
"""

from __future__ import annotations

from typing import Literal, get_args

PostureId = Literal[
    "apologise",
    "compensate",
    "corrective_action",
    "holding",
    "answer",
    "humour",
    "scripted",
    "bolster",
    "ingratiate",
    "deny",
    "attack_accuser",
    "excuse",
    "justify",
    "diminish",
    "deflect",
    "invite",
]
POSTURES: tuple[str, ...] = get_args(PostureId)

# Signals a modifier may scale provocation by; each is a number from 0 to 1.
SignalId = Literal[
    "specificity",  # numbers, dates, named actions and owners
    "empathy",  # words that acknowledge how people feel
    "responsibility",  # first person plural with an admission
    "evasive",  # a reply that does not answer the post it replies to (0 when not a reply)
    "shouting",  # capitals and exclamation marks
    "inflame",  # the scenario's inflaming words
    "soothe",  # the scenario's soothing words
    "negative",  # VADER reads the post as negative
]
SIGNALS: tuple[str, ...] = get_args(SignalId)
