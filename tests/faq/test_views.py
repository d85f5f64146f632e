"""The FAQ's screens rendered without the app: every shipped answer fits a phone in Chinese
(English runs about twice as long and may scroll), every topic's pages fit in both
languages, and the buttons are never cut off."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bot.i18n import create_i18n
from bot.services.faq.library import shipped_entries
from bot.services.faq.service import PAGE_SIZE
from bot.services.faq.views import Question, TopicPage
from handlers.faq.views import answer_screen, home_screen, topic_screen, with_vote
from knowledge.faq.model import Topic
from tests.harness.phone import SCREEN_LINES, too_wide, wrapped_lines


@pytest.fixture(params=["zh", "en"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    i18n = create_i18n("zh")
    with i18n.context(), i18n.use_locale(request.param):
        yield request.param


def _lines(html: str) -> int:
    """Lines on the phone: the text as shown, without its markup."""
    return wrapped_lines(re.sub(r"<[^>]+>", "", html))


def _rows(kb: object) -> list[list[str]]:
    return [[b.text for b in row] for row in kb.inline_keyboard]  # type: ignore[attr-defined]


def test_the_topics_and_every_page_fit(lang: str) -> None:
    text, kb = home_screen()
    assert len(_rows(kb)) == 4 and not too_wide(_rows(kb))
    assert _lines(text) + 4 <= SCREEN_LINES
    entries = shipped_entries()
    for topic in Topic:
        mine = [e for e in entries if e.topic is topic]
        pages = -(-len(mine) // PAGE_SIZE)
        for page in range(pages):
            chunk = mine[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
            questions = tuple(
                Question(n, e.questions_zh[0], e.questions_en[0]) for n, e in enumerate(chunk)
            )
            text, kb = topic_screen(
                TopicPage(topic, page, pages, questions, page * PAGE_SIZE + 1), lang
            )
            assert not too_wide(_rows(kb)), _rows(kb)
            assert _lines(text) + len(_rows(kb)) <= SCREEN_LINES, (topic, page)


def test_every_answer_fits_in_chinese_and_its_buttons_in_both(lang: str) -> None:
    for entry in shipped_entries():
        text, kb = answer_screen(entry, 1, None, lang, back=(entry.topic, 0))
        assert not too_wide(_rows(kb)), (entry.key, _rows(kb))
        if lang == "zh":
            # About 20 lines above two rows of buttons: a third row takes a line.
            assert _lines(text) + len(_rows(kb)) <= SCREEN_LINES + 2, entry.key
        marked = with_vote(kb, 1, False)
        assert marked is not None and not too_wide(_rows(marked))
        assert with_vote(marked, 1, False) is None  # shown already: nothing to edit
        assert with_vote(kb, 2, True) is None  # another entry's thumbs: not these
