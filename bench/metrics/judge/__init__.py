"""LLM judges: a language model rates each summary on named dimensions (``metrics.llm_judge``).

- ``templates``: the prompt of each dimension (files in ``configs/judge/``, or the user's), rendered per item;
- ``types``: what a backend is asked (``Request``) and answers (``Answer``), and the ``Backend`` protocol;
- ``scoring``: ratings from an answer (the probability-weighted mean of the rating tokens, or parsed samples);
- ``cache``: every answer on disk, keyed by everything that produced it (a rerun makes no model call);
- ``local``: the transformers backend (any causal LM, a GGUF file included; article prefixes computed once);
- ``endpoint``: the OpenAI-compatible chat-completions backend (vLLM, llama.cpp, Ollama, hosted APIs).

The metric family itself is ``bench.metrics.llm_judge``.
"""
