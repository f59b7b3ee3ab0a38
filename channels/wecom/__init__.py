"""The WeCom (企业微信) channel: a self-built application's callback URL in, its API out."""

from channels.wecom.api import WecomApi, WecomApiError, WecomBadSecret, WecomBusy
from channels.wecom.callback import CALLBACK_PATH, WecomCallback
from channels.wecom.channel import WecomChannel, WecomGroupChannel

__all__ = [
    "CALLBACK_PATH",
    "WecomApi",
    "WecomApiError",
    "WecomBadSecret",
    "WecomBusy",
    "WecomCallback",
    "WecomChannel",
    "WecomGroupChannel",
]
