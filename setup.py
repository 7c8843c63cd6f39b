"""The package list for setuptools (everything else is in pyproject.toml).

pyproject.toml's ``[tool.setuptools.package-dir]`` maps the top-level ``configs/`` and ``seeds/`` folders to
the packages ``bench._configs`` and ``bench._seeds``. No folder of those names exists for ``packages.find``
to discover, so they are listed here, with every config group below them (found, so a new group or a new
bench subpackage needs no edit here).
"""

from setuptools import find_namespace_packages, find_packages, setup


def _mapped(package: str, folder: str) -> list[str]:
    """``package`` and one subpackage per folder below ``folder`` (a config group, at any depth)."""
    return [package, *(f"{package}.{sub}" for sub in find_namespace_packages(where=folder))]


setup(packages=[*find_packages(include=["bench", "bench.*"]), *_mapped("bench._configs", "configs"),
                *_mapped("bench._seeds", "seeds")])
