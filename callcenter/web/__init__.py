"""The auditors' web pages: search the 台账, open a call, hear its recordings.

``app.create_app`` builds the aiohttp application; ``callcenter web serve`` runs it.
"""
