"""The one error of rendering: a contract or option that cannot become a manifest."""


class RenderError(Exception):
    """The contract or the options cannot be rendered; the message says what to change."""
