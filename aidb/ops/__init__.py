"""Data-preparation operators (dedup, mixing, selection) and the vectorised kernels they share."""
