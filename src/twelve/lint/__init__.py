"""`twelve lint`: static rules over a repository, in any supported language."""
