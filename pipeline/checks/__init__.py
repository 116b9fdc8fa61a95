"""Checks of finished files: verification (every section and disclaimer came through),
readability (the plain text reads at the brand's grade). They read what pipeline.extract
takes out of the files, never a renderer."""
