"""Page objects: what a fetched page says (articles, listings, related links), no navigation."""
