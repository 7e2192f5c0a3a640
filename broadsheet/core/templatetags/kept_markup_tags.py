"""`{% kept_markup key "part" %}…{% endkept_markup %}`: a part of a page kept per process
(broadsheet/core/kept_markup.py holds the contract)."""

from __future__ import annotations

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token

from broadsheet.core.kept_markup import kept_part, part_key, per_request_of

register = template.Library()


class KeptMarkupNode(template.Node):
    def __init__(self, nodelist: NodeList, key: FilterExpression, part: str) -> None:
        self.nodelist = nodelist
        self.key = key
        self.part = part

    def render(self, context: template.Context) -> str:
        kept_key = self.key.resolve(context)
        if not kept_key:
            # None (a preview), or no key in this page's context at all ("").
            return self.nodelist.render(context)
        return kept_part(part_key(kept_key, self.part), self.nodelist, context)


class KeptHoleNode(template.Node):
    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        return per_request_of(context, self.nodelist.render)


@register.tag("kept_markup")
def kept_markup(parser: Parser, token: Token) -> KeptMarkupNode:
    """`{% kept_markup kept_key "part" %}…{% endkept_markup %}`: the part's markup kept per
    process under the page's key (none or None: rendered every time). broadsheet/core/
    kept_markup.py holds the contract: what is inside depends on nothing but the key."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[2][0] not in "\"'" or bits[2][0] != bits[2][-1]:
        raise template.TemplateSyntaxError('usage: {% kept_markup kept_key "part" %}')
    nodelist = parser.parse(("endkept_markup",))
    parser.delete_first_token()
    return KeptMarkupNode(nodelist, parser.compile_filter(bits[1]), bits[2][1:-1])


@register.tag("kept_hole")
def kept_hole(parser: Parser, token: Token) -> KeptHoleNode:
    """`{% kept_hole %}…{% endkept_hole %}` in a kept part: rendered for each request with
    its own context, at the kept part's place in the template (what is inside may read
    only what the context has there, not names a `with` or `for` inside the part sets).
    Outside a kept part: rendered in place as if the tags were not there."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("usage: {% kept_hole %}…{% endkept_hole %}")
    nodelist = parser.parse(("endkept_hole",))
    parser.delete_first_token()
    return KeptHoleNode(nodelist)
