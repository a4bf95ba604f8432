"""The single place the package version is kept (setup.cfg reads it)."""
__version__ = "0.1.0"
