"""Volunteer-to-need matching for college and community service."""

__version__ = "0.1.0"
