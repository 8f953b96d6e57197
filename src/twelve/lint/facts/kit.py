"""Whether the service is built on `twelve.kit`, which serves health paths and reads config
from the contract itself (rules that look for those in code accept the kit instead)."""

from twelve.lint.facts.code import code_pattern
from twelve.lint.facts.files import Language

KIT_IMPORT = code_pattern(
    "imports-twelve-kit",
    [Language.PYTHON],
    {
        "any": [{"kind": "import_from_statement"}, {"kind": "import_statement"}],
        "regex": r"^(?:from\s+twelve\.kit\b|from\s+twelve\s+import\s+.*\bkit\b"
        r"|import\s+twelve\.kit\b)",
    },
    ["twelve"],
)
