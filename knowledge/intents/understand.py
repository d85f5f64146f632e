"""The whole reading of a free text, as the bot does it: the matcher first; then, unless it
is sure of a request, the station names, since a driver may type one at the menu ("暖心之家",
"应潭北站") and a name is not in any phrasing. Station names are scanned only for short texts
that the matcher left unsure or read as an FAQ question: it is the slow part (tens of ms with
150,000 stations), so the bot runs this off the event loop.
"""

from __future__ import annotations

from knowledge.intents.book import Intent
from knowledge.intents.matcher import Guess, Matcher, Reading
from knowledge.intents.normalize import simplify
from knowledge.stations.index import NameGrade, StationIndex

NAME_MAX = 24  # longer texts are sentences, not names
# A station named outright beats an FAQ reading up to this score ("鹰潭市党群服务中心" shares
# words with the FAQ on what service centres offer).
NAME_OVER_FAQ = 0.9


def understand(matcher: Matcher, text: str, stations: StationIndex | None = None) -> Reading:
    reading = matcher.read(text)
    best = reading.best
    if stations is None or len(text) > NAME_MAX:
        return reading
    settled = (
        reading.sure and best is not None and not (best.intent is Intent.NEAREST and not best.city)
    )
    if settled and best is not None and best.intent is not Intent.FAQ:
        return reading
    hits = stations.match_names(simplify(text))
    if not hits and reading.rest and len(reading.rest) >= 3:  # "铜心驿站在哪" → "铜心驿站"
        hits = stations.match_names(reading.rest)
    if not hits or (settled and hits[0].grade is not NameGrade.EXACT and best is not None
                    and best.score > NAME_OVER_FAQ):  # fmt: skip
        return reading
    top = [h for h in hits if h.grade.tier == hits[0].grade.tier]
    if len(top) != 1 and hits[0].grade is not NameGrade.EXACT:
        return reading
    station = top[0].station
    service = best.slot if best is not None and best.intent is Intent.NEAREST else ""
    return Reading((Guess(Intent.NEAREST, 1.0, service, station.city, station=station.id),),
                   sure=True)  # fmt: skip
