"""Offline work on the model: dataset building, training, evaluation, benchmarks."""
