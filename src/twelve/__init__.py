"""twelve: the Twelve-Factor playbook, enforced."""

__version__ = "0.1.0.dev0"
