"""Short links with per-link click statistics: twelve's reference service, on `twelve.kit`.

    python -m shortlinks web               the HTTP API (PORT)
    python -m shortlinks worker            consumes click events, aggregates daily counts
    python -m shortlinks admin migrate     schema migrations (alembic), the queue's included
    python -m shortlinks admin backfill    recompute daily counts from raw click events

Every process loads the same contract (`twelve.toml`), validates its config before doing
anything else (exit 78 naming every problem) and writes JSON lines on stdout. Modules that
pull in heavy libraries (starlette, procrastinate, alembic, sqlalchemy) are imported only by
the process type that needs them, so a misconfigured start is rejected in milliseconds.
"""
