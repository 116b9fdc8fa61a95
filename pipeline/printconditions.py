"""The registered print conditions a brand may name, and their CMYK ICC profiles.

No Debian or PyPI package ships a registered CMYK profile of a US print condition (Debian's
`icc-profiles` with GRACoL2013_CRPC6 is not in bookworm; libgs-common has only SWOP of 1995).
Debian's `icc-profiles-free` does ship the registered characterisation data, and ArgyllCMS's
`colprof` (Debian's `argyll`) builds a profile from it: `invoke setup` does so once (about
25 s each), into PROFILES. colprof is deterministic but for the header's date, which is set
to the data set's, so every machine gets the same bytes.

How the profile separates is chosen here, for print that a prepress desk accepts:
- maximum grey component replacement (`-k x`): a neutral prints in black ink, with as little
  cyan, magenta and yellow as the press needs for the darkest shadows, so greys stay grey
  when the plates drift out of register or balance;
- the condition's total ink limit (`-l`), built into the separation itself.

As the ICC registry asks of a profile made from registered data, its characterisation
target tag reads "ICCHDAT <reference name>" and its description says "based on" that name.
"""

from __future__ import annotations

import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline import tools
from pipeline.errors import UserError

DATA = Path("/usr/share/color/icc")
"""Where Debian's icc-profiles-free puts the characterisation data (.ti3)."""
PROFILES = Path("/usr/local/share/color/icc/patient-education")
"""Where `invoke setup` writes the profiles it builds (the machine's local ICC folder)."""
REGISTRY = "http://www.color.org"


@dataclass(frozen=True)
class Registered:
    """A print condition as the ICC's characterization data registry names it."""

    identifier: str
    """Its reference name: the PDF/X OutputConditionIdentifier."""
    description: str
    """What it is, for the OutputCondition and the job ticket."""
    paper: str
    """"coated" or "uncoated"."""
    data: str
    """Its characterisation data in icc-profiles-free."""
    ink_limit: int
    """Total area coverage, percent, that the profile separates to and preflight allows."""
    dated: tuple[int, int, int]
    """The data set's date, written in the profile's header."""

    @property
    def profile(self) -> Path:
        name = self.identifier.replace(" ", "-")
        return PROFILES / f"{name}_GCR-max_TAC{self.ink_limit}.icc"

    @property
    def profile_description(self) -> str:
        return (
            f"{self.paper.capitalize()} offset, maximum GCR, {self.ink_limit}% total ink; "
            f"based on {self.identifier}"
        )


REGISTERED = {
    condition.identifier: condition
    for condition in (
        Registered(
            "CGATS TR 006",
            "GRACoL: offset lithographic printing, sheetfed, grade 1 coated paper (ISO "
            "12647-2 paper type 1)",
            "coated",
            "TR006.ti3",
            300,
            (2006, 8, 28),
        ),
        Registered(
            "FOGRA29",
            "Offset printing according to ISO 12647-2:2004, paper type 4 (white, uncoated), "
            "60 lines/cm",
            "uncoated",
            "FOGRA29L.ti3",
            260,
            (2003, 9, 1),
        ),
    )
}
"""The conditions `invoke setup` builds a profile for. 300 % on coated: SWOP's limit and the
low end of what coated sheetfed presses take (GRACoL allows up to 320 %); 260 % on uncoated,
which soaks up ink: the low end of the 260-280 % prepress desks ask for."""


class ProfileError(UserError):
    """A profile cannot be built; the message says why."""


def build_profile(condition: Registered) -> Path:
    """Build `condition`'s profile (colprof, then the registry's tags), replacing any."""
    data = DATA / condition.data
    if shutil.which("colprof") is None or not data.is_file():
        raise ProfileError(
            f"building the {condition.identifier} profile needs colprof and {data}: "
            "install the Debian packages argyll and icc-profiles-free"
        )
    with tempfile.TemporaryDirectory(prefix="icc-") as scratch:
        work = Path(scratch)
        shutil.copyfile(data, work / "data.ti3")
        try:
            tools.run(
                "colprof",
                [
                    "-qm",  # medium quality: the default, ~25 s
                    "-kx",  # maximum grey component replacement
                    f"-l{condition.ink_limit}",
                    "-nc",  # the registry's reference instead of the data (added below)
                    "-D",
                    condition.profile_description,
                    "-C",
                    f"No copyright. Made with ArgyllCMS from {condition.identifier} "
                    "characterisation data, the source it must be named with.",
                    "-O",
                    "profile.icc",
                    "data",
                ],
                cwd=work,
                timeout=600,
            )
        except tools.ToolError as error:
            raise ProfileError(str(error)) from None
        profile = registered_tags((work / "profile.icc").read_bytes(), condition)
    condition.profile.parent.mkdir(parents=True, exist_ok=True)
    temporary = condition.profile.with_suffix(".part")
    temporary.write_bytes(profile)
    temporary.replace(condition.profile)
    return condition.profile


def registered_tags(profile: bytes, condition: Registered) -> bytes:
    """`profile` with the header's date set to the data set's and the characterisation
    target tag (`targ`) reading "ICCHDAT <reference name>"; every other tag as it was."""
    (count,) = struct.unpack_from(">I", profile, 128)
    tags = []
    for index in range(count):
        signature, offset, size = struct.unpack_from(">4sII", profile, 132 + 12 * index)
        if signature != b"targ":
            tags.append((signature, profile[offset : offset + size]))
    text = b"text" + bytes(4) + f"ICCHDAT {condition.identifier}".encode("ascii") + b"\0"
    tags.append((b"targ", text))
    table_end = 132 + 12 * len(tags)
    body, entries, placed = bytearray(), [], {}
    for signature, data in tags:
        if data not in placed:  # tags that shared their data keep sharing it
            placed[data] = table_end + len(body)
            body += data + bytes(-len(data) % 4)
        entries.append(struct.pack(">4sII", signature, placed[data], len(data)))
    header = bytearray(profile[:128])
    struct.pack_into(">I", header, 0, table_end + len(body))
    struct.pack_into(">6H", header, 24, *condition.dated, 0, 0, 0)
    return bytes(header) + struct.pack(">I", len(tags)) + b"".join(entries) + bytes(body)
