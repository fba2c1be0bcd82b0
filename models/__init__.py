"""The shipped model (unspin-lm/: its detector, candidate tables and card), installed as package data."""
