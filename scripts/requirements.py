"""Print the project's dependencies (runtime and dev) from pyproject.toml, one per line.

The virtualenv is shared by every checkout on the machine, so it holds only the
dependencies; the code runs from the checkout itself (PYTHONPATH), never from an
install that could point at another checkout.
"""

import sys
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]
extras = project.get("optional-dependencies", {})
for requirement in [*project["dependencies"], *(r for group in extras.values() for r in group)]:
    sys.stdout.write(requirement + "\n")
