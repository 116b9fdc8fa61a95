"""Black text overprints: wherever text paints in 100 % black ink (and only there), an
ExtGState with /OP true /op true /OPM 1 is in force, so the black prints over what is under
it (a tinted box, the cover's colour) instead of knocking a hole in the other plates that
misregistration would show as a white rim. PDF/X-4 allows overprint; WeasyPrint cannot ask
for it, so it is set here, in the written file.

Overprint is switched on just before a text-showing operator that paints in 100 % K and off
again before anything else paints (or the state is saved with `q`), so nothing but that text
ever overprints: not a tint of black, not a rule, not an image. Runs on every content stream
a page draws (its forms too). Run it after every other edit of the content streams."""

from __future__ import annotations

from typing import Any

import pikepdf

OVERPRINT = pikepdf.Name("/OPblack")
KNOCKOUT = pikepdf.Name("/OPoff")
SHOW_TEXT = {"Tj", "TJ", "'", '"'}
PAINTS_NOTHING = {
    *("BT", "ET", "Tc", "Tw", "Tz", "TL", "Tf", "Tr", "Ts", "Td", "TD", "Tm", "T*"),
    *("cs", "CS", "sc", "scn", "SC", "SCN", "g", "G", "k", "K", "rg", "RG"),
    *("BDC", "BMC", "EMC", "MP", "DP"),
}
"""Operators that neither paint nor save the graphics state: overprint may stay on."""
BLACK = (0.0, 0.0, 0.0, 1.0)


def overprint_black_text(pdf: pikepdf.Pdf) -> int:
    """Set every 100 % black text-showing operator in `pdf` to overprint; returns how many."""
    states = {
        OVERPRINT: pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, OP=True, op=True, OPM=1)
        ),
        KNOCKOUT: pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, OP=False, op=False)
        ),
    }
    seen: set[tuple[int, int]] = set()
    count = 0
    for page in pdf.pages:
        count += _rewrite(pdf, page.obj, page.obj.get("/Resources"), states, seen)
    return count


def _rewrite(
    pdf: pikepdf.Pdf,
    owner: Any,
    resources: Any,
    states: dict[pikepdf.Name, pikepdf.Dictionary],
    seen: set[tuple[int, int]],
) -> int:
    if resources is None:
        return 0
    instructions: list[Any] = []
    space, on, count = "/DeviceGray", False, 0
    colour: tuple[float, ...] = (0.0,)
    stack: list[tuple[str, tuple[float, ...]]] = []

    def switch(state: pikepdf.Name) -> None:
        instructions.append(pikepdf.ContentStreamInstruction([state], pikepdf.Operator("gs")))

    for instruction in pikepdf.parse_content_stream(owner):
        operator = str(instruction.operator)
        operands = list(getattr(instruction, "operands", []))
        black = _is_cmyk(space, resources) and colour == BLACK
        if operator in SHOW_TEXT and black and not on:
            switch(OVERPRINT)
            on, count = True, count + 1
        elif on and (not black if operator in SHOW_TEXT else operator not in PAINTS_NOTHING):
            switch(KNOCKOUT)
            on = False
        elif operator in SHOW_TEXT and black:
            count += 1
        instructions.append(instruction)
        if operator == "q":
            stack.append((space, colour))
        elif operator == "Q" and stack:
            space, colour = stack.pop()
        elif operator == "cs":  # the space's initial colour: black
            space = str(operands[0])
            colour = BLACK if _is_cmyk(space, resources) else (0.0,)
        elif operator in ("sc", "scn"):
            colour = tuple(float(v) for v in operands if not isinstance(v, pikepdf.Name))
        elif operator in ("g", "k", "rg"):
            space = {"g": "/DeviceGray", "k": "/DeviceCMYK", "rg": "/DeviceRGB"}[operator]
            colour = tuple(float(v) for v in operands)
        elif operator == "Do":
            form = resources.get("/XObject", {}).get(operands[0])
            if form is not None and form.get("/Subtype") == "/Form" and form.objgen not in seen:
                seen.add(form.objgen)
                count += _rewrite(pdf, form, form.get("/Resources"), states, seen)
    if on:
        switch(KNOCKOUT)
    if count:
        if "/ExtGState" not in resources:
            resources.ExtGState = pikepdf.Dictionary()
        for name, state in states.items():
            resources.ExtGState[name] = state
        content = pikepdf.unparse_content_stream(instructions)
        if isinstance(owner, pikepdf.Stream):  # a form: its content is its own stream
            owner.write(content)
        else:
            owner.Contents = pdf.make_stream(content)
    return count


def _is_cmyk(space: str, resources: Any) -> bool:
    if space == "/DeviceCMYK":
        return True
    named = resources.get("/ColorSpace", {}).get(space)
    return (
        isinstance(named, pikepdf.Array)
        and named[0] == pikepdf.Name.ICCBased
        and int(named[1].get("/N", 0)) == 4
    )
