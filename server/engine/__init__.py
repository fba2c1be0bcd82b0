"""The engine: one article in, marked wording with its likely originals out (engine.py runs the stages)."""
