"""Past one machine: gateways that queue briefs, workers that make and post them.

`threadbrief run` stays one process with SQLite. With `--role gateway` a process holds Discord
shards, acknowledges each interaction at once and queues the work in PostgreSQL (PgQueuer);
with `--role worker` a process takes jobs from that queue, makes the brief and answers the user
over Discord's REST API with the interaction's token. Any number of each share one database.
"""
