"""Resampling statistics: bootstrap intervals, paired tests, corrections, rankings.

Pure numpy on arrays of per-item (or per-document) scores: no records, no disk,
no printing. Every random draw comes from ``numpy.random.default_rng`` seeded by
the caller, drawn the way scipy and sacrebleu draw theirs, so the tests can
compare against both on the same resample indices.
"""
