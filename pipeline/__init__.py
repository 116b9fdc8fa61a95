"""Patient-education publishing: one source in, verified outputs out."""
