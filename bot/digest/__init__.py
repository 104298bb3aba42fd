"""Scheduled digests: what a subscription posts, when, and how a run survives a crash.

schedule -> items (read and brief, in worker processes) -> render (message payloads) ->
service (dedupe, outbox, delivery through a `Poster`) -> scheduler (when runs happen). None of it
imports discord.py: the cog provides the `Poster` that talks to Discord.
"""
