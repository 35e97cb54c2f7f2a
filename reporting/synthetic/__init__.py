"""Synthetic MAPPA histories: the generator, its timelines and published-year targets."""
