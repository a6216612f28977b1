"""Government satisfaction follow-up calls (电话回访) over a real telephone system."""

__version__ = "0.1.0"
