"""Measurements kept for the model card's "what was tried" (not used by the shipped model)."""
