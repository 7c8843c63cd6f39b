"""bench's version, in a module of its own so that any stage can read it without importing the
package facade (``bench/__init__.py`` imports the library API, which imports every stage)."""

__version__ = "0.1.0"
