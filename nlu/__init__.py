"""Triage: the Rasa project (config, data, components) and the bot-side client, server and rules.

Kept free of imports: Rasa's own Python may import ``nlu.components`` from here."""
