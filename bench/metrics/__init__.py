"""Stage 2, metrics: one module per metric family, the shared scoring loop, the registry and plug-ins.

``base.PairMetric`` is the loop every reference-based metric shares; ``registry``
maps config names to metric classes (built in, ``register()``-ed, or plug-ins from
entry points). A new metric goes here (a module and ``configs/metrics/<name>.yaml``)
or in a plug-in package. Names of metrics, their options and their packages stay here.
"""
