"""A file every RIP and conversion reads as it is meant: each page (and each form) lists
only the resources it uses, and no two different font subsets share a subset tag.

WeasyPrint gives every page one shared /Resources dictionary that lists everything any page
uses, the logo's transparency groups included. A converter that decides per page whether
transparency must be flattened (Ghostscript's PDF/X route for older RIPs) then flattens every
page to pixels, text and all. Here each page and form gets its own dictionary holding what its
content stream names: fonts (Tf), XObjects (Do), graphics states (gs), colour spaces (cs, CS,
an inline image's /CS), patterns (scn, SCN), shadings (sh) and marked-content properties.

ISO 32000 (9.6.4) makes a subset's tag name the subset: two different subsets under one tag
(the brochure's and the crop-mark slug's, each written by its own WeasyPrint document) let a
RIP take one for the other. A tag used by more than one font program is given, for each
further program, a new tag derived from that program's bytes.

Run these after every other edit of the content streams (they read what is drawn)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pikepdf

_USES = {
    "Tf": "/Font",
    "Do": "/XObject",
    "gs": "/ExtGState",
    "cs": "/ColorSpace",
    "CS": "/ColorSpace",
    "sh": "/Shading",
}
_TAG = re.compile(r"^/([A-Z]{6})\+(.+)$")


def resources_per_page(pdf: pikepdf.Pdf) -> None:
    """Give every page, and every form a page draws, a /Resources of its own with only what
    its content uses."""
    done: set[tuple[int, int]] = set()
    for page in pdf.pages:
        _own(pdf, page.obj, done)


def _own(pdf: pikepdf.Pdf, owner: Any, done: set[tuple[int, int]]) -> None:
    resources = owner.get("/Resources")
    if resources is None:
        return
    used: dict[str, set[pikepdf.Name]] = {}
    for instruction in pikepdf.parse_content_stream(owner):
        operator = str(instruction.operator)
        operands = list(getattr(instruction, "operands", []))
        if operator in _USES:
            used.setdefault(_USES[operator], set()).add(operands[0])
        elif operator in ("scn", "SCN") and operands and isinstance(operands[-1], pikepdf.Name):
            used.setdefault("/Pattern", set()).add(operands[-1])
        elif operator in ("BDC", "DP") and isinstance(operands[-1], pikepdf.Name):
            used.setdefault("/Properties", set()).add(operands[-1])
        elif operator == "INLINE IMAGE":
            space = instruction.iimage.obj.get("/CS")  # type: ignore[union-attr]
            if isinstance(space, pikepdf.Name) and space in resources.get("/ColorSpace", {}):
                used.setdefault("/ColorSpace", set()).add(space)
    own = pikepdf.Dictionary()
    for category, names in sorted(used.items()):
        available = resources.get(category)
        if available is None:
            continue
        own[category] = pikepdf.Dictionary(
            {str(name): available[name] for name in sorted(names, key=str) if name in available}
        )
    for key in ("/ProcSet",):
        if key in resources:
            own[key] = resources[key]
    owner.Resources = pdf.make_indirect(own)
    for form in own.get("/XObject", {}).values():
        if form.get("/Subtype") == "/Form" and form.objgen not in done:
            done.add(form.objgen)
            _own(pdf, form, done)
    for pattern in own.get("/Pattern", {}).values():
        if int(pattern.get("/PatternType", 0)) == 1 and pattern.objgen not in done:
            done.add(pattern.objgen)
            _own(pdf, pattern, done)


def unique_subset_tags(pdf: pikepdf.Pdf) -> list[str]:
    """Retag every font subset whose tag another, different subset already has; returns the
    new names."""
    tags: dict[str, set[bytes]] = {}
    fonts = []
    for item in pdf.objects:
        if isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/Font":
            found = _TAG.match(str(item.get("/BaseFont", "")))
            program = _program(item)
            if found and program is not None:
                fonts.append((item, found.group(1), found.group(2), program))
                tags.setdefault(found.group(1), set()).add(program)
    taken = set(tags)
    first: dict[str, bytes] = {}
    renamed: dict[tuple[str, bytes], str] = {}
    for font, tag, name, program in sorted(fonts, key=lambda f: (f[1], f[3])):
        first.setdefault(tag, program)
        if len(tags[tag]) == 1 or program == first[tag]:
            continue
        if (tag, program) not in renamed:
            renamed[(tag, program)] = _new_tag(program, taken)
            taken.add(renamed[(tag, program)])
        _rename(font, f"{renamed[(tag, program)]}+{name}")
    return sorted({f"{new} (was {tag})" for (tag, _), new in renamed.items()})


def _program(font: Any) -> bytes | None:
    """A digest of the font program a font (or its descendant) embeds."""
    leaf = font.get("/DescendantFonts", [font])[0]
    descriptor = leaf.get("/FontDescriptor")
    if descriptor is None:
        return None
    for key in ("/FontFile2", "/FontFile3", "/FontFile"):
        if key in descriptor:
            return hashlib.sha256(descriptor[key].read_bytes()).digest()
    return None


def _new_tag(program: bytes, taken: set[str]) -> str:
    """Six capital letters from the program's digest, not yet used in the file."""
    seed = program
    while True:
        tag = "".join(chr(ord("A") + byte % 26) for byte in seed[:6])
        if tag not in taken:
            return tag
        seed = hashlib.sha256(seed).digest()


def _rename(font: Any, name: str) -> None:
    font.BaseFont = pikepdf.Name("/" + name)
    for leaf in font.get("/DescendantFonts", []):
        leaf.BaseFont = pikepdf.Name("/" + name)
        if "/FontDescriptor" in leaf:
            leaf.FontDescriptor.FontName = pikepdf.Name("/" + name)
    if "/FontDescriptor" in font:
        font.FontDescriptor.FontName = pikepdf.Name("/" + name)
