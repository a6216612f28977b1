"""Celery on Redis: beat plans each month and dispatches; workers dial (thin tasks)."""
