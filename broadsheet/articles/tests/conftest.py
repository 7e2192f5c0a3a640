from __future__ import annotations

import pytest

from broadsheet.articles.models import ArticlePage, Author, PublicationSettings, SectionPage
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


# An opinion column with three bylines, tags, a disclaimer and two related articles: the
# page the kept-markup and flat-translation tests render byte for byte.
@pytest.fixture
def related(db: None) -> ArticlePage:
    opinion = make_section("Opinion")
    make_article(section=opinion, title="Who pays for the flood walls", tags=["rivers"])
    return make_article(section=opinion, title="Rivers and flood plans", tags=["rivers"])


@pytest.fixture
def column(related: ArticlePage) -> ArticlePage:
    publication = PublicationSettings.load()
    publication.opinion_disclaimer = "The views of the writers are their own."
    publication.save()
    return make_article(
        section=make_section("World"),
        title="Our river deserves better than flood walls",
        authors=[make_author("Ines Okafor"), make_author("Tomas Reyes"), make_author("Li Wei")],
        tags=["rivers", "climate", "city hall"],
        is_opinion=True,
    )
