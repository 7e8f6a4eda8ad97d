"""The web chat sandbox: talk to GreenBot in a browser, through the bot's own handlers."""

from web.sandbox.sandbox import InvalidInput, Sandbox, is_visitor, new_visitor_id

__all__ = ["InvalidInput", "Sandbox", "is_visitor", "new_visitor_id"]
