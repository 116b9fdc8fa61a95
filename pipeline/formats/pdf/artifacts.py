"""Running headers and footers as artifacts in a tagged PDF.

WeasyPrint 70 tags the text of page-margin boxes with marked-content ids whose structure
elements it leaves out of the structure tree. PDF/UA wants that text marked as /Artifact,
so assistive technology skips it: this rewrites those sequences, and nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pikepdf

_PAGINATION = pikepdf.Dictionary(Type=pikepdf.Name.Pagination)


def running_heads_to_artifacts(pdf: pikepdf.Pdf) -> None:
    """In an open tagged PDF: the margin boxes' marked content becomes /Artifact."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        raise ValueError(f"{pdf.filename}: not a tagged PDF")
    in_tree = {element.objgen for element in _elements(root.K)}
    mcid_owners = _parent_tree(root.ParentTree)
    for page in pdf.pages:
        owners = mcid_owners.get(int(page.obj.get("/StructParents", -1)))
        if owners is None:
            continue
        outside = {
            mcid
            for mcid, owner in enumerate(owners)
            if isinstance(owner, pikepdf.Dictionary) and owner.objgen not in in_tree
        }
        if outside:
            _rewrite(pdf, page, outside)
            for mcid in outside:
                owners[mcid] = None


def _elements(kids: pikepdf.Object) -> Iterator[pikepdf.Dictionary]:
    """Every structure element under `kids` (an element, an array of them, or an MCID)."""
    if isinstance(kids, pikepdf.Array):
        for kid in kids:
            yield from _elements(kid)
    elif isinstance(kids, pikepdf.Dictionary) and kids.get("/Type") != pikepdf.Name.MCR:
        if kids.get("/Type") == pikepdf.Name.OBJR:
            return
        yield kids
        if "/K" in kids:
            yield from _elements(kids.K)


def _parent_tree(tree: pikepdf.Object) -> dict[int, pikepdf.Array]:
    """The number tree, flattened: StructParents key -> array of owners by MCID."""
    found: dict[int, pikepdf.Array] = {}
    nums = tree.get("/Nums", pikepdf.Array())
    for index in range(0, len(nums), 2):
        owners = nums[index + 1]
        if isinstance(owners, pikepdf.Array):
            found[int(nums[index])] = owners
    for kid in tree.get("/Kids", pikepdf.Array()):
        found.update(_parent_tree(kid))
    return found


def _rewrite(pdf: pikepdf.Pdf, page: pikepdf.Page, mcids: set[int]) -> None:
    instructions: list[Any] = []
    for instruction in pikepdf.parse_content_stream(page):
        operands: Any = getattr(instruction, "operands", [])
        if (
            str(instruction.operator) == "BDC"
            and len(operands) == 2
            and isinstance(operands[1], pikepdf.Dictionary)
            and int(operands[1].get("/MCID", -1)) in mcids
        ):
            instruction = pikepdf.ContentStreamInstruction(
                [pikepdf.Name.Artifact, _PAGINATION], instruction.operator
            )
        instructions.append(instruction)
    page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
