"""How deep an XML tree goes, measured without recursion.

Python code that walks a tree recursively (ours, or signxml's) overflows the interpreter's
stack on a few thousand nested elements and raises RecursionError: a 500 an attacker can
trigger at will. libxml2 itself allows 2048 levels with huge_tree. So every packet's depth is
checked right after parsing, with lxml's iterative walker, and anything deeper than
`MAX_DEPTH` is refused before any other code sees it. Real edXML packets go 9 levels deep
(Signature included); 64 leaves room for any honest extension.
"""

from __future__ import annotations

from lxml import etree

MAX_DEPTH = 64


def deeper_than(root: etree._Element, limit: int = MAX_DEPTH) -> bool:
    """True when some element sits more than `limit` levels below the root (root = level 1)."""
    depth = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > limit:
            return True
    return False
