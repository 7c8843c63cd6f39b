"""Stage 4, results: the stored record of a run and everything that reads or writes it.

``record`` turns a scored ``RunResult`` into ``result.json`` / ``samples.jsonl``
data (with ``environment``); ``store`` is the only writer of run directories and
the run index; ``run_cache`` makes the run key that answers an identical run from
the store; ``merge`` joins shard runs into the unsharded record (pure).
"""
