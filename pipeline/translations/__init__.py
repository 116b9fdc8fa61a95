"""Translations (docs/translations.md): a translation is its own source,
`source/<id>.<lang>.md`, that names its original (`translation-of:`) and records the
original's version it was translated from (`translated-from:`, `record`). Loading one loads
its original too and checks parity (`parity`: the same parts, in the same order); what
changed in the original since, part by part, is `Document.translation.stale`."""
