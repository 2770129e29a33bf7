"""A tiny aidb plugin, installed by tests/test_plugins.py: one SQL function and one model TYPE, declared through entry points."""
