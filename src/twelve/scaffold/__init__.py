"""`twelve new`: scaffold a Python service on `twelve.kit` that passes `twelve check`.

    from twelve.scaffold import create_service

    created = create_service("order-api", Path("order-api"), worker=True)

The service gets a web process (and optionally a worker), an admin task, its contract,
Procfile, Dockerfile, dev container, CI workflow, tests, a pinned requirements.txt as its
lock, and the operational documents `twelve docs` generates.
"""

from twelve.scaffold.create import NewService, create_service
from twelve.scaffold.errors import InvalidName, MissingDependency, ScaffoldError, TargetNotEmpty
from twelve.scaffold.names import ServiceName

__all__ = [
    "InvalidName",
    "MissingDependency",
    "NewService",
    "ScaffoldError",
    "ServiceName",
    "TargetNotEmpty",
    "create_service",
]
