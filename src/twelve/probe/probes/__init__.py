"""Probes, one module per probe, one package per factor; importing this registers them."""

import importlib
import pkgutil

for _module in pkgutil.walk_packages(__path__, __name__ + "."):
    importlib.import_module(_module.name)
