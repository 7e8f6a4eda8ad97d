"""One router per feature; their order is the list in `bot/app.py`."""
