"""The staff web console and the web chat sandbox (FastAPI, server-rendered templates)."""
