"""Spotify's ``fields`` filter: ``items(added_at,item(name,album(!images))),next,total``.

Comma-separated fields; ``a.b.c`` descends; ``a(b,c)`` selects inside ``a``; ``!x`` drops
``x`` (a level holding only exclusions keeps everything else). Lists are filtered
element-wise. Object key order is kept.
"""

from __future__ import annotations

from typing import Any


class FieldsError(ValueError):
    pass


class Node:
    __slots__ = ("exclude", "include")

    def __init__(self) -> None:
        self.include: dict[str, Node | None] = {}
        self.exclude: set[str] = set()

    def child(self, name: str) -> Node:
        sub = self.include.get(name)
        if sub is None:
            sub = Node()
            self.include[name] = sub
        return sub


def parse(text: str) -> Node:
    root = Node()
    pos = _parse_list(text, 0, root)
    if pos != len(text):
        raise FieldsError(f"unexpected {text[pos]!r} at {pos}")
    return root


def _name(text: str, pos: int) -> tuple[str, int]:
    start = pos
    while pos < len(text) and text[pos] not in ",().!":
        pos += 1
    name = text[start:pos].strip()
    if not name:
        raise FieldsError(f"empty field name at {start}")
    return name, pos


def _parse_list(text: str, pos: int, node: Node) -> int:
    while True:
        exclude = False
        if pos < len(text) and text[pos] == "!":
            exclude = True
            pos += 1
        names = []
        name, pos = _name(text, pos)
        names.append(name)
        while pos < len(text) and text[pos] == ".":
            name, pos = _name(text, pos + 1)
            names.append(name)
        target = node
        for n in names[:-1]:
            target = target.child(n)
        last = names[-1]
        if pos < len(text) and text[pos] == "(":
            sub = target.child(last)
            pos = _parse_list(text, pos + 1, sub)
            if pos >= len(text) or text[pos] != ")":
                raise FieldsError("unbalanced parenthesis")
            pos += 1
        elif exclude:
            target.exclude.add(last)
        elif last not in target.include:
            target.include[last] = None
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        return pos


def apply(value: Any, node: Node | None) -> Any:
    if node is None:
        return value
    if isinstance(value, list):
        return [apply(v, node) for v in value]
    if not isinstance(value, dict):
        return value
    if node.include:
        return {
            k: apply(v, node.include[k])
            for k, v in value.items()
            if k in node.include and k not in node.exclude
        }
    return {k: v for k, v in value.items() if k not in node.exclude}
