"""Feeds and news APIs fetched into the inbox, ahead of landing."""
