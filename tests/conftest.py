"""Suite-wide pytest configuration: the loopback index servers' fixtures (tests/indexes/)."""

pytest_plugins = ("tests.indexes.fixtures",)
