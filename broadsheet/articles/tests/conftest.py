from __future__ import annotations

import pytest

from broadsheet.articles.models import ArticlePage, Author, SectionPage
from broadsheet.articles.testing import make_article, make_author, make_section


@pytest.fixture
def world(db: None) -> SectionPage:
    return make_section("World", intro="Reporting from everywhere else.")


@pytest.fixture
def opinion_section(db: None) -> SectionPage:
    return make_section("Opinion")


@pytest.fixture
def columnist(db: None) -> Author:
    return make_author("Ines Okafor", bio="Writes a weekly column on cities.")


@pytest.fixture
def opinion_column(opinion_section: SectionPage, columnist: Author) -> ArticlePage:
    return make_article(
        section=opinion_section,
        title="Our river deserves better than concrete",
        dek="The flood plan treats the river as an enemy. It should treat it as a neighbour.",
        authors=[columnist],
        tags=["climate", "river"],
        is_opinion=True,
    )
