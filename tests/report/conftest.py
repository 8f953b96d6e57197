"""One synthetic report that every format test renders.

It holds every outcome, every severity, both kinds, a rule result with a full location and
snippet, a probe result with multi-line evidence, and two secrets that appear raw, URL-encoded
and base64-encoded in messages, snippets, evidence and notes.
"""

from __future__ import annotations

import base64
from urllib.parse import quote, quote_plus

import pytest

from twelve.model import (
    CheckDocs,
    CheckMeta,
    Evidence,
    Factor,
    Kind,
    Lifecycle,
    Location,
    Outcome,
    Report,
    Result,
    Severity,
)

# A run-level canary: `/`, `+`, `@`, ` `, `?` and `>` make every encoding differ from the
# raw value, and its base64 forms contain `/` vs `_` and `==` padding.
CANARY = "c4nary/s3cr3t+p@ss w0rd?>"
# A result-level secret (what a probe knows it injected).
DB_PASSWORD = "Xq9-db-pa55word"
# Too short to mask: it must not shred ordinary text.
SHORT = "ab"


def b64(value: str) -> str:
    """Standard base64 with padding."""
    return base64.b64encode(value.encode()).decode()


def b64url(value: str) -> str:
    """URL-safe base64 with padding."""
    return base64.urlsafe_b64encode(value.encode()).decode()


def leak_markers() -> list[str]:
    """Every spelling of the secrets, plus fragments that survive any escaping a format does."""
    markers = ["c4nary", "s3cr3t", "w0rd", "Xq9-db", "pa55word"]
    for secret in (CANARY, DB_PASSWORD):
        markers += [secret, quote(secret), quote(secret, safe=""), quote_plus(secret)]
        for encoded in (b64(secret), b64url(secret)):
            markers += [encoded, encoded.rstrip("=")]
    # The longest alphanumeric runs of the base64 forms (escaping never touches them).
    markers += ["YzRuYXJ5L3MzY3IzdCtwQHNzIHcwcmQ", "WHE5LWRiLXBhNTV3b3Jk"]
    return sorted(set(markers))


def docs(what: str) -> CheckDocs:
    """Documentation under ruff's headings, with a fenced example."""
    return CheckDocs(
        what_it_does=what,
        why_is_this_bad="Config in code differs between deploys only by a rebuild.",
        example='```python\nDSN = "postgresql://app:pw@db/app"\n```',
        use_instead='```python\nDSN = os.environ["DATABASE_URL"]\n```',
    )


def meta(
    check_id: str,
    name: str,
    severity: Severity,
    *,
    lifecycle: Lifecycle = Lifecycle.STABLE,
) -> CheckMeta:
    """A check built directly, without the registry."""
    return CheckMeta(
        id=check_id,
        name=name,
        kind=Kind.RULE if check_id.startswith("S") else Kind.PROBE,
        factor=Factor(int(check_id[1:3])),
        severity=severity,
        lifecycle=lifecycle,
        summary=f"{name.replace('-', ' ')} (summary)",
        docs=docs(f"Checks {name.replace('-', ' ')}."),
        remediation=f"Fix {name}.",
    )


S0301 = meta("S0301", "literal-dsn", Severity.ERROR)
S0302 = meta("S0302", "literal-config-value", Severity.WARNING)
S1101 = meta("S1101", "log-to-file", Severity.INFO)
P0902 = meta("P0902", "graceful-sigterm", Severity.ERROR)
P0401 = meta("P0401", "backing-service-timeout", Severity.WARNING)
P0701 = meta("P0701", "binds-declared-port", Severity.INFO, lifecycle=Lifecycle.PREVIEW)
S0501 = meta("S0501", "pinned-base-image", Severity.WARNING)
S0101 = meta("S0101", "single-codebase", Severity.ERROR)
P0903 = meta("P0903", "fast-startup", Severity.WARNING)


def build_report() -> Report:
    """The synthetic run, in the order a real run would produce it."""
    results = (
        Result(S0101, Outcome.PASS, "one git repository", duration=0.003),
        Result(
            S0301,
            Outcome.FAIL,
            f"literal DSN `postgresql://app:{CANARY}@db/app`",
            Location(
                "src/app/settings.py",
                line=12,
                column=7,
                end_line=12,
                end_column=58,
                snippet=f'DSN = "postgresql://app:{CANARY}@db/app"',
            ),
            duration=0.012,
        ),
        Result(
            S0302,
            Outcome.FAIL,
            "`API_KEY` literal in 2 envs: 100% | prod,eu",
            Location("config/prod,eu:1.env", line=3),
            duration=0.004,
        ),
        Result(S0501, Outcome.NOT_APPLICABLE, "no Dockerfile", duration=0.001),
        Result(
            P0902,
            Outcome.FAIL,
            "still running 10.00 s after SIGTERM; killed",
            evidence=(
                Evidence(
                    "Timeline",
                    (
                        "0.000 s  started pid 4242",
                        "0.412 s  ready on 127.0.0.1:8080",
                        "0.500 s  SIGTERM sent",
                        "10.500 s  still running; SIGKILL sent",
                    ),
                ),
                Evidence(
                    "stderr",
                    (
                        f"connecting to postgresql://app:{quote(CANARY, safe='')}@127.0.0.1/app",
                        f"form body: password={quote_plus(CANARY)}&user=app",
                        f"token={b64(CANARY)} url-token={b64url(CANARY).rstrip('=')}",
                        f"db password {DB_PASSWORD} ({b64(DB_PASSWORD)})",
                        "\x1b[31mERROR\x1b[0m shutdown hook hung",
                    ),
                ),
            ),
            secrets=frozenset({DB_PASSWORD}),
            duration=10.5,
        ),
        Result(P0401, Outcome.ERROR, "check crashed: KeyError at proxy.py:88", duration=0.02),
        Result(
            P0701,
            Outcome.INCONCLUSIVE,
            "port 8080 never accepted a connection",
            evidence=(Evidence("stdout", ("listening on unix:/tmp/app.sock",)),),
            duration=5.0,
        ),
        Result(
            S1101,
            Outcome.FAIL,
            "log written to a file: app.log",
            Location("src/app/logging.py"),
            duration=0.002,
        ),
        Result(
            P0903,
            Outcome.PASS,
            "ready in 0.42 s",
            evidence=(Evidence("Timeline", ("0.000 s  started", "0.420 s  ready")),),
            duration=0.5,
        ),
    )
    return Report(
        target="/work/svc",
        results=results,
        tool_version="0.1.0",
        notes=(
            f"probe env: DATABASE_URL=postgresql://app:{CANARY}@127.0.0.1/app",
            "no Kubernetes manifests: S0902 and S0903 skipped",
        ),
        secrets=frozenset({CANARY, SHORT}),
    )


@pytest.fixture
def report() -> Report:
    """The synthetic report (see the module docstring)."""
    return build_report()


@pytest.fixture
def markers() -> list[str]:
    """Strings none of which may appear in any rendered output."""
    return leak_markers()
