"""bench: a summarisation-evaluation benchmark harness.

Scores candidate summaries against references with ROUGE (rouge-score) and
BERTScore (bert-score) from Hydra configs, and stores signed, reproducible
results. Heavy libraries (torch, transformers, datasets) are imported lazily so
that `import bench` and `bench --help` stay fast.
"""

__version__ = "0.1.0"
