"""Secret masking: the one step every report passes through before it is rendered.

A secret can reach a report raw, URL-encoded (a DSN in a log line, a query string) or base64
encoded (an `Authorization: Basic` header, a Kubernetes secret); each form is masked.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import replace
from urllib.parse import quote, quote_plus

from twelve.model import CheckDocs, CheckMeta, Evidence, Report, Result

MASK = "********"
MIN_SECRET_LENGTH = 4  # shorter values would shred ordinary text ("ab" is in "table")
_PERCENT = re.compile(r"%[0-9A-F]{2}")


def secret_forms(secret: str) -> frozenset[str]:
    """The spellings of one secret that a report may contain.

    Args:
        secret: the raw value.
    """
    forms = {secret}
    for quoted in (quote(secret), quote(secret, safe=""), quote_plus(secret)):
        # Encoders disagree on hex case (`%2F` vs `%2f`); mask both.
        forms |= {quoted, _PERCENT.sub(lambda hit: hit[0].lower(), quoted)}
    raw = secret.encode()
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        text = encoded.decode("ascii")
        forms |= {text, text.rstrip("=")}
    forms |= _embedded_base64(raw)
    return frozenset(form for form in forms if len(form) >= MIN_SECRET_LENGTH)


def _embedded_base64(raw: bytes) -> set[str]:
    """The characters a secret fixes in base64 of a longer value (`user:secret`).

    Base64 works in 3-byte groups, so inside a larger blob the secret is encoded in one of
    three alignments; the characters that depend on neighbouring bytes differ from blob to
    blob and are dropped, which leaves at most two bytes' worth of bits unmasked.

    Args:
        raw: the secret's bytes.
    """
    cores: set[str] = set()
    if len(raw) < 6:  # a short core would match unrelated base64 text
        return cores
    for shift in range(3):
        padded = b"\0" * shift + raw
        usable = (len(padded) // 3) * 3
        encoded = base64.b64encode(padded[:usable]).decode("ascii")
        # The first group mixes in `shift` unknown bytes: drop its affected characters.
        core = encoded[(shift * 4 + 2) // 3 :]
        if len(core) >= 8:
            cores |= {core, core.replace("+", "-").replace("/", "_")}
    return cores


class Masker:
    """Replace every form of every secret in a string with `MASK`.

    Args:
        secrets: the raw secret values; those shorter than `MIN_SECRET_LENGTH` are ignored.
    """

    __slots__ = ("_forms",)

    def __init__(self, secrets: Iterable[str]) -> None:
        forms = {
            form
            for secret in secrets
            if len(secret) >= MIN_SECRET_LENGTH
            for form in secret_forms(secret)
        }
        # Longest first and one form at a time: a secret containing another is masked whole,
        # and a short form matching early cannot split a longer one that overlaps it.
        self._forms = sorted(forms, key=lambda form: (-len(form), form))

    def __bool__(self) -> bool:
        return bool(self._forms)

    def __call__(self, text: str) -> str:
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        return text


def mask_report(report: Report) -> Report:
    """A copy of a report in which no secret it knows of can be read.

    The copy also drops the secret values themselves, so a format that serialises the whole
    report still cannot print them.

    Args:
        report: the run's results; left unchanged.
    """
    masker = Masker(report.all_secrets())
    return replace(
        report,
        target=masker(report.target),
        tool_version=masker(report.tool_version),
        notes=tuple(map(masker, report.notes)),
        results=tuple(_mask_result(result, masker) for result in report.results),
        secrets=frozenset(),
    )


def _mask_result(result: Result, masker: Masker) -> Result:
    location = result.location
    if location is not None:
        snippet = None if location.snippet is None else masker(location.snippet)
        location = replace(location, path=masker(location.path), snippet=snippet)
    return replace(
        result,
        secrets=frozenset(),
        check=_mask_check(result.check, masker),
        message=masker(result.message),
        location=location,
        evidence=tuple(_mask_evidence(item, masker) for item in result.evidence),
    )


def _mask_evidence(evidence: Evidence, masker: Masker) -> Evidence:
    return Evidence(masker(evidence.title), tuple(map(masker, evidence.lines)))


def _mask_check(check: CheckMeta, masker: Masker) -> CheckMeta:
    # Check texts are written by us, but a fixture-derived example could still hold a value.
    docs = check.docs
    return replace(
        check,
        summary=masker(check.summary),
        remediation=masker(check.remediation),
        docs=CheckDocs(
            what_it_does=masker(docs.what_it_does),
            why_is_this_bad=masker(docs.why_is_this_bad),
            example=masker(docs.example),
            use_instead=masker(docs.use_instead),
            known_problems=masker(docs.known_problems),
        ),
    )
