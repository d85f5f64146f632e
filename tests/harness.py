"""Placeholder until the app harness lands."""
