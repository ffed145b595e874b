"""Loopback index servers and their fixtures, shared by every test that needs an index."""
