"""Repairs of WeasyPrint's PDF/UA tagging, run as its ``finisher`` before the PDF is written.

WeasyPrint 70 tags the text of page margin boxes (running header, "Sida X av Y") as marked content whose
structure elements hang from no parent: a screen reader meets content the tree does not explain. Here that
content becomes /Artifact and the dangling elements are emptied. WeasyPrint also gives every link annotation
its target (a section id such as "atgarder") as /Contents, the text assistive technology announces; here it
gets the link's own words.
"""

from __future__ import annotations

import re
from typing import Any

_REFERENCE = re.compile(rb"^(\d+) \d+ R$")


def finish(document: Any, pdf: Any) -> None:
    """WeasyPrint finisher: ``write_pdf(finisher=finish)``; changes the pydyf objects in place."""
    if "StructTreeRoot" not in pdf.catalog:
        return
    _name_links(document)
    _margin_content_as_artifacts(pdf)


def _number(value: object) -> int | None:
    found = _REFERENCE.match(value) if isinstance(value, bytes) else None
    return int(found.group(1)) if found else None


def _reachable(pdf: Any) -> set[int]:
    """Object numbers of every structure element a path from the structure tree root reaches."""
    objects = pdf.objects
    root = objects[_number(pdf.catalog["StructTreeRoot"])]
    seen: set[int] = set()
    stack = [n for kid in root["K"] if (n := _number(kid)) is not None]
    while stack:
        number = stack.pop()
        if number in seen:
            continue
        seen.add(number)
        kids = objects[number].get("K", [])
        stack.extend(n for kid in kids if (n := _number(kid)) is not None)
    return seen


def _margin_content_as_artifacts(pdf: Any) -> None:
    objects = pdf.objects
    reachable = _reachable(pdf)
    root = objects[_number(pdf.catalog["StructTreeRoot"])]
    parent_tree = objects[_number(root["ParentTree"])]
    nums = parent_tree["Nums"]
    pages = [objects[number] for number in pdf.pages["Kids"][::3]]  # pydyf keeps kids as number, 0, "R"
    page_streams = [objects[_number(page["Contents"])] for page in pages]
    orphans: set[int] = set()
    for index in range(0, len(nums), 2):
        key, value = nums[index], nums[index + 1]
        if not isinstance(value, list) or key >= len(page_streams):
            continue  # an annotation's entry, not a page's MCID array
        dropped = set()
        for mcid, reference in enumerate(value):
            number = _number(reference)
            if number is not None and number not in reachable:
                dropped.add(mcid)
                orphans.add(number)
                value[mcid] = "null"
        if dropped:
            _unmark(page_streams[key], dropped)
    for number in orphans:
        _empty_orphan(objects, number, reachable)


def _empty_orphan(objects: list[Any], number: int, reachable: set[int]) -> None:
    """Turn an unreachable structure element (and its unreachable ancestors) into an empty dictionary."""
    while number not in reachable and objects[number].get("Type") == "/StructElem":
        parent = _number(objects[number].get("P"))
        objects[number].clear()
        if parent is None:
            return
        number = parent


def _unmark(stream: Any, mcids: set[int]) -> None:
    """Rewrite ``/Tag <</MCID n>> BDC`` as ``/Artifact BMC`` for the given MCIDs of one content stream."""
    operations = stream.stream
    for i in range(len(operations) - 2):
        props = operations[i + 1]
        if operations[i + 2] == b"BDC" and isinstance(props, dict) and props.get("MCID") in mcids:
            operations[i] = "/Artifact"
            operations[i + 1] = b""
            operations[i + 2] = b"BMC"


def _name_links(document: Any) -> None:
    """Every link annotation's /Contents becomes the words of its link (or its title)."""
    import pydyf

    for page in document.pages:
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            annotation = getattr(box, "link_annotation", None)
            element = getattr(box, "element", None)
            if annotation is not None and element is not None and "Contents" in annotation:
                words = element.get("title") or " ".join("".join(element.itertext()).split())
                if words:
                    annotation["Contents"] = pydyf.String(words)
            stack.extend(getattr(box, "children", ()))
