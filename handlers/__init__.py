"""What the bot does for each kind of message, and the service contract's domain logic.

Nothing in this package imports a messaging SDK or aiohttp: handlers take plain data and return
replies as data (see ``handlers.registry``).
"""
