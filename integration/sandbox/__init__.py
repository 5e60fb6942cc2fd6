"""A local stand-in for Greenhouse Harvest v1: the subset HireWatch uses, in memory.

`hirewatch sandbox` serves it; `make run`, the end-to-end tests and the benchmarks use it. It
speaks the vendor's shapes (Basic auth with the API key, Link-header pagination, per-10-second
rate limits with 429 + Retry-After, On-Behalf-Of on writes) and can send signed webhooks.
"""
