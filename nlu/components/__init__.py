"""Custom Rasa components of the helpdesk NLU (loaded by Rasa with nlu/ on PYTHONPATH)."""
