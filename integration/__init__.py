"""The Flask service: webhook receiver, admin API, review pages, and the `hirewatch` CLI."""
