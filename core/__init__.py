"""Rehearsal's shared domain: settings, database models, repositories, LLM client, events, job contracts."""
