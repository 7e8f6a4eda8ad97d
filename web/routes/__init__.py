"""One module per console area; `web/app.py` includes their routers."""
