"""Tests of the NLU: server lifecycle, triage rules, evaluation, model quality."""
