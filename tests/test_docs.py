"""The docs say what the code does. docs/command-line.md names every command of `unspin`, each of
its options and actions, and every setting (the environment variables the code reads, the server's
configuration keys); its generated parts are what the commands print (cog, as `make lint` checks).
Every path, Python name and function a page gives exists, and every link between pages lands on
a file and a heading."""

from __future__ import annotations

import argparse
import ast
import importlib
import re
from pathlib import Path

import pytest

from unspin import cli, config

ROOT = Path(__file__).resolve().parents[1]
COMMAND_LINE = ROOT / "docs" / "command-line.md"
PAGES = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]


def text_of(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def settings_section() -> str:
    """docs/command-line.md's "Settings", up to the commands' --help (which names settings too)."""
    text = text_of(COMMAND_LINE)
    return text[text.index("\n## Settings\n"):text.index("\n## Every command's `--help`\n")]


def prose(page: Path) -> str:
    """A page without its fenced code blocks and HTML comments (commands with example arguments,
    cog's code): what it tells as text."""
    text = re.sub(r"<!--.*?-->", "", text_of(page), flags=re.S)
    return re.sub(r"^[ \t]*```.*?^[ \t]*```", "", text, flags=re.S | re.M)


# --- commands and options ------------------------------------------------------------------------


def commands() -> list[str]:
    """The subcommands of the `unspin` parser, as its --help lists them."""
    sub = next(a for a in cli.parser()._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices)


def named(word: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def test_the_parser_walks_every_command():
    assert commands() == list(cli.COMMANDS) and len(commands()) >= 14


@pytest.mark.parametrize("command", commands())
def test_every_command_option_and_action_is_in_the_command_line_doc(command):
    text = text_of(COMMAND_LINE)
    parser = cli.command_parser(command, importlib.import_module(cli.COMMANDS[command][0]))
    assert f"unspin {command}" in text, f"`unspin {command}` is not in docs/command-line.md: make docs"
    for action in parser._actions:
        if action.help == argparse.SUPPRESS:  # hidden: an option the command gives itself (bench --child)
            continue
        for option in action.option_strings:
            assert named(option, text), f"`unspin {command} {option}` is not in docs/command-line.md: make docs"
        if not action.option_strings:  # a positional: its choices are the command's actions
            for choice in action.choices or ():
                assert named(choice, text), f"`unspin {command} {choice}` is not in docs/command-line.md: make docs"


def test_the_generated_parts_are_what_the_commands_print(capsys):
    """What `make lint` checks (cog --check): the synopsis, the settings table and every command's
    --help in docs/command-line.md are what the code prints now."""
    from cogapp import Cog

    status = Cog().main(["cog", "--check", "--diff", str(COMMAND_LINE)])
    said = capsys.readouterr()
    assert status == 0, f"docs/command-line.md is out of date (make docs writes it again):\n{said.out}{said.err}"


# --- settings ------------------------------------------------------------------------------------


def _is_environ(node: ast.AST) -> bool:
    """os.environ or a bare `environ` (not a request's WSGI environ)."""
    return (isinstance(node, ast.Attribute) and node.attr == "environ" and isinstance(node.value, ast.Name)
            and node.value.id == "os") or (isinstance(node, ast.Name) and node.id == "environ")


def environment_reads(path: Path) -> set[str]:
    """The environment variables a module reads (os.environ.get, os.environ[...], os.getenv,
    `in os.environ`), by a literal name or a module-level constant's. Raises AssertionError for a
    name it cannot resolve, so that no read goes unseen."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                 and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                 for target in node.targets if isinstance(target, ast.Name)}
    keys = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "get" and _is_environ(node.func.value))
                or (isinstance(node.func, ast.Attribute) and node.func.attr == "getenv")):
            keys.append(node.args[0])
        elif isinstance(node, ast.Subscript) and _is_environ(node.value) and isinstance(node.ctx, ast.Load):
            keys.append(node.slice)
        elif isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops) \
                and any(_is_environ(c) for c in node.comparators):
            keys.append(node.left)
    names = set()
    for key in keys:
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            names.add(key.value)
        elif isinstance(key, ast.Name) and key.id in constants:
            names.add(constants[key.id])
        else:
            raise AssertionError(f"{path.relative_to(ROOT)}:{key.lineno}: an environment variable read by a name "
                                 "this test cannot resolve; read it by its name or a module-level constant")
    return names


def code_files(*folders: str) -> list[Path]:
    return [path for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))]


def unspin_variables(paths: list[Path]) -> set[str]:
    """Every UNSPIN_* name the code mentions (read, written into a launcher, named in a help)."""
    return {name for path in paths for name in re.findall(r"\bUNSPIN_[A-Z0-9_]*[A-Z0-9]\b", path.read_text(encoding="utf-8"))}


def test_every_environment_variable_unspin_reads_is_in_the_settings():
    paths = code_files("server", "scripts")
    variables = unspin_variables(paths) | {name for path in paths for name in environment_reads(path)}
    assert {"UNSPIN_MODEL", "UNSPIN_DATA_DIR", "UNSPIN_BROWSER_HOST", "XDG_CACHE_HOME"} <= variables
    section = settings_section()
    missing = sorted(name for name in variables if not named(name, section))
    assert not missing, f"environment variables missing from docs/command-line.md's Settings: {missing}"


def test_every_environment_variable_the_tests_read_is_documented():
    variables = {name for path in code_files("tests") for name in environment_reads(path)}
    assert "UNSPIN_REQUIRE_BROWSER" in variables
    docs = "\n".join(text_of(page) for page in PAGES)
    missing = sorted(name for name in variables if not named(name, docs))
    assert not missing, f"environment variables the tests read that no docs page names: {missing}"


def test_every_server_setting_is_in_the_settings():
    """The keys of config.DEFAULTS, and every key the server reads from its app's config."""
    read = {key for path in code_files("server")
            for key in re.findall(r"config(?:\[|\.get\()\s*[\"']([A-Z][A-Z0-9_]*)[\"']", path.read_text(encoding="utf-8"))}
    keys = set(config.DEFAULTS) | read
    assert {"MAX_TOKENS", "MODEL_PATH"} <= keys
    section = settings_section()
    missing = sorted(key for key in keys if f"`{key}`" not in section)
    assert not missing, f"server settings missing from docs/command-line.md's Settings: {missing}"


# --- paths, names and links ----------------------------------------------------------------------

TOP = ("server", "scripts", "extension", "tests", "models", "requirements", "docs")
PATH = re.compile(rf"(?<![\w.-])(?:\.\./)?((?:{'|'.join(TOP)})/[\w./<>*-]*)")
BUILT = ("extension/dist/",)  # made by extension/build.sh, not kept in the repository


def placeholder(path: str) -> bool:
    """A pattern rather than a path: <language>, *, or a name in capitals (requirements/EXTRA.lock)."""
    return "<" in path or "*" in path or any(
        part.split(".")[0].isupper() and part.split(".")[0] not in {"README", "LICENSE"} for part in path.split("/"))


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_path_a_page_names_exists(page):
    paths = {match.rstrip(".,;:") for match in PATH.findall(prose(page))}
    missing = sorted(path for path in paths
                     if not placeholder(path) and not path.startswith(BUILT) and not (ROOT / path).exists())
    assert not missing, f"{page.name} names paths that do not exist: {missing}"


# How a name is defined: Python (def, class) or JavaScript (function, a method, a const).
DEFINITIONS = [r"(?:def|class)\s+{0}\b", r"function\*?\s+{0}\s*\(", r"^\s*(?:async\s+)?{0}\s*\([^)]*\)\s*\{{",
               r"(?:const|let)\s+{0}\s*="]
SOURCES = [path for folder in ("server", "scripts") for path in (ROOT / folder).rglob("*.py")] + [
    path for path in (ROOT / "extension" / "src").rglob("*.js") if not path.name.endswith(".test.js")]


def defined(name: str) -> bool:
    patterns = [re.compile(p.format(re.escape(name)), re.M) for p in DEFINITIONS]
    return any(p.search(source) for source in (path.read_text(encoding="utf-8") for path in SOURCES)
               for p in patterns)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_function_a_page_names_is_defined(page):
    """`name()` and `Class.name()` in a page: a function or method of that name exists."""
    names = {m.split(".")[-1] for m in re.findall(r"`((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*)\(\)`", prose(page))}
    missing = sorted(name for name in names if not defined(name))
    assert not missing, f"{page.name} names functions that are not defined: {missing}"


def test_the_request_walk_names_real_code():
    page = ROOT / "docs" / "request-walk.md"
    text = prose(page)
    assert len(re.findall(r"`(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*\(\)`", text)) > 40
    for path in ("server/api/app.py", "server/contract/requests.py", "server/engine/engine.py",
                 "server/contract/answers.py", "extension/src/background/api.js", "extension/src/content/marks.js"):
        assert path in text


def resolves(dotted: str) -> bool:
    """`unspin.a.b.c`: the longest module prefix imports, and the rest are its attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        try:
            for attribute in parts[cut:]:
                found = getattr(found, attribute)
        except AttributeError:
            return False
        return True
    return False


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_python_name_a_page_gives_exists(page):
    text = text_of(page)
    names = set(re.findall(r"`(unspin(?:\.\w+)+)(?:\([^`]*\))?`", text)) | set(
        re.findall(r"python (?:-I )?-m (unspin(?:\.\w+)+)", text))
    missing = sorted(name for name in names if not resolves(name))
    assert not missing, f"{page.name} names Python modules or objects that do not exist: {missing}"


def anchors(page: Path) -> set[str]:
    """GitHub's anchors of a page's headings: lower case, punctuation but - and _ dropped, spaces
    to -, a repeated one numbered."""
    found: set[str] = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *$", re.sub(r"^[ \t]*```.*?^[ \t]*```", "", text_of(page), flags=re.S | re.M),
                              flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        anchor, n = slug, 0
        while anchor in found:
            n += 1
            anchor = f"{slug}-{n}"
        found.add(anchor)
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_link_lands_on_a_file_and_a_heading(page):
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", prose(page)):
        if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(target)
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(target)
    assert not broken, f"{page.name} links to what is not there: {broken}"
