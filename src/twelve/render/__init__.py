"""Render deployment manifests from the contract: `twelve render k8s`.

Exceptions:

    RenderError    the contract or the options cannot become a manifest
"""

from twelve.render.errors import RenderError
from twelve.render.k8s import render_k8s
from twelve.render.options import K8sOptions
from twelve.render.output import Written, document, stream, write
from twelve.render.resource import Resource

__all__ = [
    "K8sOptions",
    "RenderError",
    "Resource",
    "Written",
    "document",
    "render_k8s",
    "stream",
    "write",
]
