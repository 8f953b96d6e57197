"""Why `twelve new` refused; every message says what to do instead.

ScaffoldError
 ├── InvalidName          not kebab-case, or its package would shadow a module
 ├── TargetNotEmpty       the directory has files and --force was not given
 └── MissingDependency    twelve[kit] is not fully installed, so nothing can be pinned
"""


class ScaffoldError(Exception):
    """`twelve new` cannot generate the service as asked."""


class InvalidName(ScaffoldError):
    """A service name that cannot be used."""


class TargetNotEmpty(ScaffoldError):
    """The target directory exists and holds files."""


class MissingDependency(ScaffoldError):
    """A distribution the lock needs is not installed where twelve runs."""
