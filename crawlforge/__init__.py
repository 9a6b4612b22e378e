"""crawlforge: PySpark jobs that turn web crawls into an LLM pretraining corpus on Delta tables.

The package maps the repository's top-level ``lib/``, ``jobs/``, ``udfs/`` and ``conf/`` folders to
``crawlforge.lib``, ``crawlforge.jobs``, ``crawlforge.udfs`` and ``crawlforge.conf``.
"""

from importlib.metadata import PackageNotFoundError, version


try:
    __version__ = version("crawlforge")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
