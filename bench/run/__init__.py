"""The run steps behind ``bench run`` and the library: prepare, compute, save (``steps``), and the
checking of in-memory texts for ``bench.score`` (``texts``). ``bench.api`` is a facade over them."""
