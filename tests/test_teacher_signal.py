"""The arithmetic of the teacher-signal measurement (the teacher itself is not a test dependency)."""

from __future__ import annotations

import torch

from unspin.scripts.teacher_signal import fit_mix, recall_at_fh


def test_recall_at_a_false_highlight_rate_lets_that_many_clean_words_through():
    clean = [i / 1000 for i in range(1000)]  # 1,000 clean words scored 0.000 .. 0.999
    spun = [0.9995, 0.9996, 0.996, 0.1]
    assert recall_at_fh(spun, clean, 0.5) == 0.5  # no clean word may pass: cut-off at the best one, 0.999
    assert recall_at_fh(spun, clean, 5) == 0.75  # five may: cut-off at 0.994
    assert recall_at_fh(spun, clean, 950) == 1.0  # cut-off at 0.049


def test_the_mix_weights_the_informative_signal_and_ignores_noise():
    generator = torch.Generator().manual_seed(0)
    labels = (torch.rand(4000, generator=generator) < 0.3).float()
    informative = 3 * labels - 1.5 + torch.randn(4000, generator=generator)
    noise = torch.randn(4000, generator=generator)
    weights = fit_mix(torch.stack([informative, noise], 1), labels)
    assert weights.shape == (3,)
    assert weights[0] > 1.0 and abs(weights[1]) < 0.2
