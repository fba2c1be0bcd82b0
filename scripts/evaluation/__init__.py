"""Evaluation: accuracy on held-out text and real inputs, speed and memory, the model card."""
