"""Shared pytest fixtures: each part lists its fixtures module here."""

pytest_plugins = [
    "fixtures_client",
    "fixtures_emulator",
    "fixtures_library",
    "fixtures_wishlist",
    "fixtures_playlist",
    "fixtures_pipeline",
    "fixtures_players",
]
