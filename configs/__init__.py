# Makes configs/ the importable package bench._configs in a wheel (pyproject.toml maps it): Hydra's pkg://
# search path reads only packages with an __init__.py.
