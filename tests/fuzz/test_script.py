"""Generated YAML fed to the call-script loader: mutations of the real script
(ivr_scripts/yima_phone_followup.yaml), in its structure and in its text, and documents
of any shape.

``load_script`` either returns a script or raises ``ScriptError`` naming the file;
anything else is a crash.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from callcenter.interview.script import Script, load_script
from callcenter.kernel.errors import ScriptError
from tests.fuzz.budget import fuzz_settings
from tests.fuzz.tally import tally

pytestmark = pytest.mark.fuzz

REAL_PATH = Path(__file__).resolve().parents[2] / "ivr_scripts" / "yima_phone_followup.yaml"
REAL_TEXT = REAL_PATH.read_text(encoding="utf-8")
REAL = YAML(typ="safe").load(REAL_TEXT)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(
        ["say", "scale", "yesno", "choice", "digits", "record", "refused", "complete", "{name}"]
    )
    | st.sampled_from(["{", "}", "{unknown}", "{0}", "{name!r}", "{name:>10}", "{{", "0", "*", "#"])
)
documents = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(max_size=12) | st.sampled_from(sorted(REAL)), children, max_size=4
        )
    ),
    max_leaves=20,
)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in the document, the root included."""
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*path, i))
    return out


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


@st.composite
def structural_mutants(draw: st.DrawFn) -> str:
    """The real script with a few nodes replaced, dropped, doubled, renamed or added."""
    doc = YAML(typ="safe").load(REAL_TEXT)
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths[1:] or paths))
        if not path:
            doc = draw(documents)
            continue
        parent, key = _get(doc, path[:-1]), path[-1]
        op = draw(st.integers(0, 4))
        if op == 0:
            parent[key] = draw(documents)
        elif op == 1:
            del parent[key]
        elif op == 2 and isinstance(parent, list):
            parent.insert(key, parent[key])
        elif op == 3 and isinstance(parent, dict):
            parent[draw(st.text(max_size=10))] = parent.pop(key)
        else:
            node = parent[key]
            if isinstance(node, dict):
                node[draw(st.text(max_size=10) | st.sampled_from(sorted(REAL)))] = draw(documents)
            elif isinstance(node, list):
                node.append(draw(documents))
            else:
                parent[key] = draw(scalars)
    out = io.StringIO()
    YAML().dump(doc, out)
    return out.getvalue()


YAML_BITS = [
    "&a ",
    "*a",
    "!!python/object:os.system ",
    "!!binary ",
    "!custom ",
    "{",
    "}",
    "[",
    "]",
    ": ",
    "- ",
    "? ",
    "|",
    ">",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "\t",
    "#",
    '"',
    "'",
    "\\",
    "\x00",
    "\x1b",
    "\ufeff",
    "<<: *a\n",
]


@st.composite
def text_mutants(draw: st.DrawFn) -> bytes:
    """The real script's text with lines dropped, doubled, swapped or re-indented, and
    YAML's own syntax (anchors, aliases, tags, flow brackets) or junk typed in."""
    lines = REAL_TEXT.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 5))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.integers(0, 5))
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[i])
        elif op == 2:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 3:
            lines[i] = " " * draw(st.integers(0, 8)) + lines[i].lstrip(" ")
        else:
            at = draw(st.integers(0, len(lines[i])))
            bit = draw(st.sampled_from(YAML_BITS) | st.text(max_size=6))
            lines[i] = lines[i][:at] + bit + lines[i][at:]
        if not lines:
            break
    data = "".join(lines).encode("utf-8", errors="surrogatepass")
    if draw(st.integers(0, 9)) == 0:  # not UTF-8 at all
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    return data


def _dumped(doc: Any) -> str:
    out = io.StringIO()
    YAML().dump(doc, out)
    return out.getvalue()


# anchors that make a node contain itself, and aliases of aliases
RECURSIVE = [
    "a: &x [*x]\n",
    "&x {a: *x}\n",
    "id: a\ntitle: t\nsteps: &s\n  - *s\n",
    "id: a\ntitle: t\nsteps:\n  - &q {id: q, type: yesno, text: x, label: y, when: [{keys: [1], steps: [*q]}]}\n",
]
inputs = (
    structural_mutants().map(lambda s: s.encode("utf-8", errors="surrogatepass"))
    | text_mutants()
    | documents.map(_dumped).map(lambda s: s.encode("utf-8", errors="surrogatepass"))
    | st.sampled_from(RECURSIVE).map(str.encode)
    | st.binary(max_size=200)
)


def test_the_real_script_loads() -> None:
    """What the mutations start from is itself a valid script."""
    assert isinstance(load_script(REAL_PATH), Script)


@fuzz_settings
@given(data=inputs)
def test_script_loader(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "script.yaml"
    path.write_bytes(data)
    with tally("script loader").one(ScriptError):
        try:
            load_script(path)
        except ScriptError as exc:
            # the error names the file, as every load error must
            assert str(exc).startswith(str(path)), str(exc)
            raise
