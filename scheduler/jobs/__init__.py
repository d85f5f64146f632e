"""Scheduled jobs, one module per feature: each asks a service for due work and does it.
The features declare which of them run, and when (bot/feature.py `Job`)."""
