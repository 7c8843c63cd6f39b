"""One module per CLI command; each exposes ``main(argv) -> exit code``."""
