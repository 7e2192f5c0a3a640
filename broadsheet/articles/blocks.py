"""StreamField blocks of an article body.

Every block keeps the stable UUID that StreamField gives it across revisions; inline
feedback anchors rely on that id.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

PARAGRAPH_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Text"))
    attribution = blocks.CharBlock(
        label=_("Attribution"), required=False, help_text=_("Who said it, and in what role")
    )

    class Meta:
        label = _("Quote")
        icon = "openquote"
        template = "articles/blocks/quote.html"


class PullQuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Text"))

    class Meta:
        label = _("Pull quote")
        icon = "pick"
        template = "articles/blocks/pull_quote.html"


class FigureBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False)
    credit = blocks.CharBlock(label=_("Credit"), required=False)

    class Meta:
        label = _("Image")
        icon = "image"
        template = "articles/blocks/figure.html"


class FeedbackPassageBlock(blocks.StructBlock):
    """A paragraph the editor marks for readers' inline feedback, with a question."""

    text = blocks.RichTextBlock(label=_("Text"), features=PARAGRAPH_FEATURES)
    question = blocks.CharBlock(
        label=_("Question"),
        max_length=200,
        help_text=_('Shown to readers, e.g. "Do you agree with this assessment?"'),
    )

    class Meta:
        icon = "comment"
        label = _("Feedback passage")
        template = "articles/blocks/feedback_passage.html"


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"), features=PARAGRAPH_FEATURES, template="articles/blocks/paragraph.html"
    )
    heading = blocks.CharBlock(
        label=_("Heading"), form_classname="title", template="articles/blocks/heading.html"
    )
    quote = QuoteBlock()
    pull_quote = PullQuoteBlock()
    image = FigureBlock()
    embed = EmbedBlock(label=_("Embed"), template="articles/blocks/embed.html")
    feedback = FeedbackPassageBlock()
