"""Structural PDF/UA checks with pikepdf: what a screen reader and a PDF/UA validator look at first."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf


@dataclass
class Structure:
    """What the checks found; every list empty and every flag true means no known defect."""

    elements: Counter[str] = field(default_factory=Counter)
    unreachable: list[str] = field(default_factory=list)  # StructElems no path from the root reaches
    orphan_content: list[str] = field(default_factory=list)  # marked content outside the tree, not /Artifact
    tables_without_rows: int = 0
    figures_without_alt: int = 0
    figure_alts: list[str] = field(default_factory=list)  # each Figure's /Alt, in reading order
    cells_without_headers: int = 0
    link_contents: list[str] = field(default_factory=list)
    display_doc_title: bool = False
    pdfua_in_xmp: bool = False
    lang: str = ""
    bookmarks: int = 0


def _is_struct_elem(obj: object) -> bool:
    return isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/StructElem"


def _kids(elem: pikepdf.Object) -> list[pikepdf.Object]:
    k = elem.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def _rows(elem: pikepdf.Object) -> int:
    count = 0
    for kid in _kids(elem):
        if _is_struct_elem(kid):
            count += 1 if kid.get("/S") == "/TR" else _rows(kid)
    return count


def _marked_content(page: pikepdf.Page) -> list[tuple[str, int | None]]:
    """(tag, MCID or None) of every outermost-or-nested BMC/BDC in the page's content stream."""
    found: list[tuple[str, int | None]] = []
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "BMC":
            found.append((str(operands[0]), None))
        elif op == "BDC":
            props = operands[1]
            mcid = props.get("/MCID") if isinstance(props, pikepdf.Dictionary) else None
            found.append((str(operands[0]), int(mcid) if mcid is not None else None))
    return found


def check(path: Path) -> Structure:
    result = Structure()
    with pikepdf.open(path) as pdf:
        root = pdf.Root
        result.lang = str(root.get("/Lang", ""))
        prefs = root.get("/ViewerPreferences")
        result.display_doc_title = bool(prefs is not None and prefs.get("/DisplayDocTitle") is True)
        xmp = bytes(root.Metadata.read_bytes()) if "/Metadata" in root else b""
        result.pdfua_in_xmp = bool(re.search(rb"pdfuaid:part(>|=\")\s*1", xmp))
        with pdf.open_outline() as outline:
            result.bookmarks = len(outline.root)

        reachable: set[tuple[int, int]] = set()
        mcids: dict[tuple[int, int], set[int]] = {}  # page objgen -> MCIDs the tree references
        stack = list(reversed(_kids(root.StructTreeRoot)))  # popped in reading order
        while stack:
            elem = stack.pop()
            if isinstance(elem, int) or (isinstance(elem, pikepdf.Object) and not isinstance(elem, pikepdf.Dictionary)):
                continue
            if elem.get("/Type") == "/MCR":
                mcids.setdefault(elem.Pg.objgen, set()).add(int(elem.MCID))
                continue
            if not _is_struct_elem(elem) or elem.objgen in reachable:
                continue
            reachable.add(elem.objgen)
            tag = str(elem.S)
            result.elements[tag] += 1
            if tag == "/Table" and _rows(elem) == 0:
                result.tables_without_rows += 1
            if tag == "/TD" and "/Headers" not in elem.get("/A", {}):
                result.cells_without_headers += 1
            if tag == "/Figure":
                result.figure_alts.append(str(elem.get("/Alt", "")))
                if not result.figure_alts[-1].strip():
                    result.figures_without_alt += 1
            for kid in reversed(_kids(elem)):
                if isinstance(kid, pikepdf.Dictionary) or _is_struct_elem(kid):
                    stack.append(kid)
                else:
                    try:
                        mcids.setdefault(elem.Pg.objgen, set()).add(int(kid))
                    except (TypeError, ValueError):
                        pass
        for obj in pdf.objects:
            if _is_struct_elem(obj) and obj.objgen not in reachable:
                result.unreachable.append(str(obj.get("/S")))

        for number, page in enumerate(pdf.pages, start=1):
            referenced = mcids.get(page.obj.objgen, set())
            for tag, mcid in _marked_content(page):
                if tag != "/Artifact" and (mcid is None or mcid not in referenced):
                    result.orphan_content.append(f"page {number}: {tag} MCID {mcid}")
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") == "/Link":
                    result.link_contents.append(str(annot.get("/Contents", "")))
    return result
