"""Shared fixtures: each part's fixtures live in a fixtures_<part>.py module listed here."""

pytest_plugins = ["fixtures_emulator"]
