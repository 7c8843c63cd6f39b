"""Analyses of stored runs (leaderboards, meta-evaluation): read runs, compute with
``bench.stats``, store the result as an artefact beside the runs. A run is never edited."""
