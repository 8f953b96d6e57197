"""Property: no secret value ever appears in log output, however it is embedded.

The oracle is the probe's own `LeakFinder` (raw, URL-encoded and base64 forms, also inside a
longer base64 string), run over every raw line and over every decoded key and string value.
Secrets are 8-40 characters without `[` or `]`, so they cannot overlap the mask itself.
"""

from __future__ import annotations

import base64
import contextlib
import io
import logging
import sys
from collections.abc import Callable, Iterator
from urllib.parse import quote

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twelve.kit.config import Config
from twelve.kit.logs import StdlibHandler, get_logger, setup_logging, write_event
from twelve.kit.secret import Secret
from twelve.kit.sink import emergency_event
from twelve.probe.probes.f11_logs._leaks import LeakFinder

SECRETS = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="[]", max_codepoint=0x2FFF),
    min_size=8,
    max_size=40,
).filter(lambda s: s.strip() == s and "REDACTED" not in s)
AROUND = st.text(max_size=12)


def _url(secret: str) -> str:
    return f"postgresql://app:{quote(secret, safe='')}@127.0.0.1:5432/app"


def _basic(secret: str) -> str:
    return "Basic " + base64.b64encode(f"user:{secret}".encode()).decode()


EMBEDDINGS: dict[str, Callable[[str], str]] = {
    "raw": lambda secret: secret,
    "url-password": _url,
    "raw-url-password": lambda secret: f"https://svc:{secret}@api.internal/v1",
    "basic-auth": _basic,
    "url-query": lambda secret: "https://api.internal/v1?token=" + quote(secret, safe=""),
}


def _log_every_way(text: str) -> None:
    """Log `text` as message, flat and nested field, key, exception, through stdlib, on an
    access line (the middleware's fast path) and in a record whose arguments do not fit."""
    log = get_logger("prop")
    log.info(text)
    log.info("flat", value=text, n=1, ok=True)
    log.info("field", value=text, nested={"list": [text, {"deep": text}]})
    log.info("key", **{text: 1})
    try:
        raise ValueError(f"failed with {text}")
    except ValueError:
        log.exception("exception")
        logging.getLogger("uvicorn.error").exception("stdlib %s", text)
    logging.getLogger("some.lib").warning("args %s and %r", text, text)
    write_event("info", "request", "prop.access", {"path": text, "status": 200}, ("request", text))
    # To the kit's handler alone: pytest's own handler re-raises a record that fails.
    (handler,) = [h for h in logging.getLogger().handlers if isinstance(h, StdlibHandler)]
    handler.handle(logging.makeLogRecord({"msg": f"{text} %d", "args": (text,)}))


def _strings(value: object) -> Iterator[str]:
    """Every key, string and number text in a decoded event, at any depth."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif value is not None:
        yield str(value)


@settings(
    max_examples=100,
    deadline=None,
    database=None,  # no .hypothesis directory in the checkout
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    secret=SECRETS,
    other=SECRETS,
    how=st.sampled_from(sorted(EMBEDDINGS)),
    before=AROUND,
    after=AROUND,
)
def test_no_secret_in_any_output(
    secret: str, other: str, how: str, before: str, after: str
) -> None:
    """Whatever text a secret (or a URL password) is embedded in, and wherever that text is
    logged (message, flat or nested field, key, exception, stdlib args, an access line, a
    record that fails to render, a start-up error on stderr; a digit secret also inside a
    number), every line is valid JSON and neither the raw lines nor any decoded string
    (numbers as text) shows the secret in any form."""
    config = Config(service="p", values={"A": Secret(secret), "B": Secret(_url(other))})
    stream = io.BytesIO()
    setup_logging(config, stream=stream)
    try:
        _log_every_way(before + EMBEDDINGS[how](secret) + after)
        _log_every_way(before + _basic(other) + after)
        if secret.isascii() and secret.isdigit():
            get_logger("prop").info("number", n=int(f"9{secret}1"))
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr):
            text = before + EMBEDDINGS[how](secret) + after
            emergency_event("start failed", {"detail": text}, f"start failed: {text}")
    finally:
        setup_logging(Config(service="p"), stream=sys.stdout)
    finder = LeakFinder([secret, other])
    event_line, readable = stderr.getvalue().split("\n", 1)  # the JSON line is one line
    assert readable.startswith("error: start failed: ")
    assert finder.find(readable) is None
    assert [t for t in _strings(orjson.loads(event_line)) if finder.find(t) is not None] == []
    lines = stream.getvalue().decode().split("\n")[:-1]  # str.splitlines also splits on \x85
    assert len(lines) == 18 + (secret.isascii() and secret.isdigit())
    for line in lines:
        event = orjson.loads(line)
        assert isinstance(event, dict)
        leaked = [text for text in _strings(event) if finder.find(text) is not None]
        assert leaked == []
        if not {'"', "\\"} & set(secret + other):
            assert finder.find(line) is None
