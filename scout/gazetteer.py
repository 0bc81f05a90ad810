"""Address gazetteer: normalising street names so that typed addresses match OSM ones.

``street_key`` is stored with every address at import time and applied to what a tutor
types, so "V. Padova", "via padova" and "VIA PÀDOVA" meet on the same key.
"""

from __future__ import annotations

import re
import unicodedata

# Common Italian abbreviations of street types, as typed by people.
ABBREVIATIONS = {
    "v": "via",
    "vle": "viale",
    "v le": "viale",
    "pza": "piazza",
    "p za": "piazza",
    "pzza": "piazza",
    "p zza": "piazza",
    "p le": "piazzale",
    "ple": "piazzale",
    "c so": "corso",
    "cso": "corso",
    "l go": "largo",
    "lgo": "largo",
    "vic": "vicolo",
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^0-9a-z]+", " ", text.lower())
    return re.sub(r"\s+", " ", text).strip()


def street_key(street: str) -> str:
    """Lower-case, accent-free, punctuation-free street name with the type spelled out."""
    key = _fold(street)
    for abbr in sorted(ABBREVIATIONS, key=len, reverse=True):
        if key == abbr or key.startswith(abbr + " "):
            key = ABBREVIATIONS[abbr] + key[len(abbr):]
            break
    return key
