"""Campaigns: import completed cases, sample them by the rules, dial them paced and retried."""
