"""Offline speech-to-text of recorded answers, run by Celery workers off the call path."""
