"""The labels of the DOCX's boxes, as the web page labels them: each a paragraph in its own
style inside its box. They are not content: verification (pipeline.extract.docx, by style
id) and ingest (by style name) leave them out."""

from __future__ import annotations

LABELS = {
    "Plain Summary": ("Plain Summary Label", "In short"),
    "Disclaimer": ("Disclaimer Label", "Important"),
    "Disclaimer Plain": ("Disclaimer Plain Label", "In plain words"),
}
"""Box style -> (its label's style, the label)."""
