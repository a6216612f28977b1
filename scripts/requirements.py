"""Print the project's dependencies from pyproject.toml, one per line (``--dev``: with extras).

The virtualenv is shared by every checkout on the machine, so it holds only the
dependencies; the code runs from the checkout itself (PYTHONPATH), never from an
install that could point at another checkout.
"""

import sys
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]
# --dev adds the optional groups (tests, linters); production images leave them out
extras = project.get("optional-dependencies", {}) if "--dev" in sys.argv else {}
for requirement in [*project["dependencies"], *(r for group in extras.values() for r in group)]:
    sys.stdout.write(requirement + "\n")
