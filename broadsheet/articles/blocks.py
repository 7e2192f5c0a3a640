"""StreamField blocks of an article body.

Every block keeps the stable UUID that StreamField gives it across revisions; inline
feedback anchors rely on that id.
"""

from __future__ import annotations

from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

PARAGRAPH_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, help_text="Who said it, and in what role")

    class Meta:
        icon = "openquote"
        template = "articles/blocks/quote.html"


class PullQuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock()

    class Meta:
        icon = "pick"
        template = "articles/blocks/pull_quote.html"


class FigureBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    caption = blocks.CharBlock(required=False)
    credit = blocks.CharBlock(required=False)

    class Meta:
        icon = "image"
        template = "articles/blocks/figure.html"


class FeedbackPassageBlock(blocks.StructBlock):
    """A paragraph the editor marks for readers' inline feedback, with a question."""

    text = blocks.RichTextBlock(features=PARAGRAPH_FEATURES)
    question = blocks.CharBlock(
        max_length=200, help_text='Shown to readers, e.g. "Do you agree with this assessment?"'
    )

    class Meta:
        icon = "comment"
        label = "Feedback passage"
        template = "articles/blocks/feedback_passage.html"


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=PARAGRAPH_FEATURES, template="articles/blocks/paragraph.html"
    )
    heading = blocks.CharBlock(form_classname="title", template="articles/blocks/heading.html")
    quote = QuoteBlock()
    pull_quote = PullQuoteBlock()
    image = FigureBlock()
    embed = EmbedBlock(template="articles/blocks/embed.html")
    feedback = FeedbackPassageBlock()
