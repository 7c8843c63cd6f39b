"""Stage 5, the gate: a run against its committed baseline.

``compare`` decides (pure: no disk, no printing); ``render`` turns its report
into a table, Markdown, JSON or JUnit; ``baselines`` reads runs and baseline
files into comparison sides and builds baselines.
"""
