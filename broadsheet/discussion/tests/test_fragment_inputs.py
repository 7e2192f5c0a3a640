"""The fragment cache is right only while comment.html reads nothing but its inputs:
parse the template and its includes, and fail on any variable outside FragmentInputs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from typing import Any

from django.template import Template
from django.template.base import FilterExpression, Node, Variable
from django.template.defaulttags import IfNode
from django.template.loader import get_template
from django.template.loader_tags import IncludeNode
from django.template.smartif import TokenBase

from broadsheet.discussion.presentation import CommentView
from broadsheet.discussion.rendering import COMMENT_TEMPLATE, FragmentInputs, SectionLook

# A branch under this condition is rendered afresh (render_comment bypasses the cache).
UNCACHED_BRANCH = "d.reply_form"


def _expressions(value: Any, seen: set[int] | None = None) -> Iterator[FilterExpression]:
    """Every FilterExpression held by a node or an {% if %} condition (not in child
    nodelists, which are walked on their own)."""
    seen = seen if seen is not None else set()
    if id(value) in seen or isinstance(value, str | int | float | bool | type(None)):
        return
    seen.add(id(value))
    if isinstance(value, FilterExpression):
        yield value
        for _, args in value.filters:
            for _, arg in args:
                if isinstance(arg, Variable):
                    yield FilterExpression(str(arg.var), None)  # type: ignore[arg-type]
        return
    if isinstance(value, list | tuple):
        for item in value:
            if not isinstance(item, Node):
                yield from _expressions(item, seen)
        return
    if isinstance(value, dict):
        for item in value.values():
            yield from _expressions(item, seen)
        return
    if isinstance(value, TokenBase | Node):
        for name, item in vars(value).items():
            if name not in ("nodelist", "token", "origin") and not name.startswith("nodelist"):
                yield from _expressions(item, seen)


def _names(expression: FilterExpression) -> list[tuple[str, ...]]:
    var = expression.var
    if isinstance(var, Variable) and var.lookups is not None:
        return [tuple(var.lookups)]
    return []


def _allowed(path: tuple[str, ...], bound: set[str]) -> bool:
    root = path[0]
    if root in bound:
        return True
    if root not in {f.name for f in fields(FragmentInputs)}:
        return False
    if root == "c" and len(path) > 1:
        view_fields = {f.name for f in fields(CommentView)}
        return path[1] in view_fields or isinstance(getattr(CommentView, path[1], None), property)
    if root == "d" and len(path) > 1:
        return path[1] in SectionLook._fields
    return True


def outside_inputs(template: Any, bound: frozenset[str] = frozenset()) -> list[str]:
    """The variables `template` (and what it includes) reads outside FragmentInputs."""
    found: list[str] = []
    skipped = _uncached_nodes(template)
    for node in template.nodelist.get_nodes_by_type(Node):
        if id(node) in skipped:
            continue
        if isinstance(node, IfNode):
            for condition, _ in node.conditions_nodelists:
                paths = [p for e in _expressions(condition) for p in _names(e)]
                found += [".".join(p) for p in paths if not _allowed(p, set(bound))]
            continue
        for expression in _expressions(node):
            found += [".".join(p) for p in _names(expression) if not _allowed(p, set(bound))]
        if isinstance(node, IncludeNode):
            included = get_template(node.template.var).template  # type: ignore[union-attr, attr-defined]
            names = bound | frozenset(node.extra_context)
            found += outside_inputs(included, names)
    return found


def _uncached_nodes(template: Any) -> set[int]:
    """Nodes inside {% if d.reply_form ... %} branches (rendered afresh)."""
    skipped: set[int] = set()
    for node in template.nodelist.get_nodes_by_type(IfNode):
        for condition, nodelist in node.conditions_nodelists:
            paths = {".".join(p[:2]) for e in _expressions(condition) for p in _names(e)}
            if UNCACHED_BRANCH in paths:
                skipped |= {id(n) for n in nodelist.get_nodes_by_type(Node)}
    return skipped


def test_comment_html_and_its_includes_read_only_the_fragment_inputs() -> None:
    assert outside_inputs(get_template(COMMENT_TEMPLATE).template) == []  # type: ignore[attr-defined]


def test_a_variable_outside_the_inputs_is_found() -> None:
    template = Template(
        "{{ c.name }}{% if d.accepting and d.thread.is_closed %}{{ d.policy.sort }}{% endif %}"
        '{% url "discussion:reply" c.id %}{{ request.path|default:viewer }}'
        "{% include 'discussion/includes/vote.html' %}{{ c.secret }}"
    )
    assert sorted(outside_inputs(template)) == [
        "c.secret",
        "d.policy.sort",
        "d.thread.is_closed",
        "request.path",
        "viewer",
    ]
