"""pinaudit: find and close the unpinned installs that make Docker builds drift."""

__version__ = "0.1.0"
