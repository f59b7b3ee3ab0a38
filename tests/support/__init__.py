"""Builders and real test servers shared by the tests."""
