"""Who GreenBot talks to: a Telegram user, their script (简/繁) and whether they can be reached."""

from citizens.conversations import ConversationState
from citizens.models import Citizen
from citizens.repo import Citizens

__all__ = ["Citizen", "Citizens", "ConversationState"]
