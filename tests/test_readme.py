"""The README's recipes, checked as far as they can be offline.

Every fenced ``sh``/``yaml``/``toml`` block is extracted.  The install recipes, the pre-commit snippet
and the CI workflows pin the release ``v<goexplint.__version__>``: the pins, pyproject.toml's version
and CHANGELOG.md's newest entry must agree.  Every ``--option`` any code block shows must be accepted
by the real argparse parser of this commit (goexplint's, or the benchmark's for its commands), and the
hooks' entries with the arguments the README suggests too.  Where the tag is in this clone (it is made
on ``main`` at release time; CI clones may lack tags) it must be an ancestor of HEAD carrying that
version, the hooks the snippet names and the options the pinned commands use (parsed by the tag's own
command line), and build as a wheel from ``git+file://...@TAG``.  The workflows must parse and upload
SARIF with a ``category``; the configuration examples must be valid configuration.
"""

import argparse
import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib

import pytest
import yaml

from conftest import ROOT, run_cli
import goexplint
from goexplint import cli
from goexplint.core import config as config_mod
from goexplint.report import sarif

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```(\w*)\n(.*?)^```", README, re.S | re.M)
PIN_RE = re.compile(r"git\+(\S+?)@([0-9a-zA-Z._/-]+)\"?")
OPTION_RE = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
RELEASE = "v" + goexplint.__version__


def blocks(lang):
    return [text for kind, text in BLOCKS if kind == lang]


def yaml_blocks():
    return [yaml.safe_load(text) for text in blocks("yaml")]


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def repo_url():
    return pyproject()["project"]["urls"]["Repository"]


def pins():
    """(url, ref) of every git install in the README and docs/, and the pre-commit snippet's (repo, rev)."""
    found = PIN_RE.findall(README)
    for doc in sorted((ROOT / "docs").glob("*.md")):
        found += PIN_RE.findall(doc.read_text(encoding="utf-8"))
    for doc in yaml_blocks():
        if isinstance(doc, dict) and "repos" in doc:
            found += [(r["repo"], str(r["rev"])) for r in doc["repos"]]
    return found


def git(*args):
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)


@pytest.fixture(scope="module")
def tag():
    """The release tag the recipes pin, when this clone has it (else skip: it is made at release time)."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    if git("rev-parse", "--verify", "-q", "refs/tags/%s^{commit}" % RELEASE).returncode != 0:
        pytest.skip("this clone has no tag %s (made on main when the release is merged)" % RELEASE)
    return RELEASE


def test_every_pin_is_the_release_of_this_version():
    found = pins()
    assert len(found) >= 5  # pipx, pip, GitHub workflow, GitLab job, pre-commit
    assert {url for url, _ in found} == {repo_url()} == {sarif.INFO_URI}
    wrong = sorted({ref for _, ref in found if ref != RELEASE})
    assert not wrong, "the README pins %s, but this is goexplint %s: pin %s" % (
        wrong, goexplint.__version__, RELEASE)


def test_version_is_the_same_everywhere():
    assert re.fullmatch(r"\d+\.\d+\.\d+", goexplint.__version__)
    assert pyproject()["project"]["version"] == goexplint.__version__
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    entries = re.findall(r"^## (v\S+)", changelog, re.M)
    assert entries and entries[0] == RELEASE, "CHANGELOG.md's newest entry is %s, not %s" % (entries[:1], RELEASE)


def test_pinned_tag_is_this_version_in_this_history(tag):
    assert git("merge-base", "--is-ancestor", tag, "HEAD").returncode == 0, "%s is not an ancestor of HEAD" % tag
    init = git("show", tag + ":goexplint/__init__.py").stdout
    assert re.search(r'^__version__ = "%s"$' % re.escape(goexplint.__version__), init, re.M), \
        "the tag %s does not say __version__ = %r" % (tag, goexplint.__version__)


def test_two_setup_commands_and_ci_run_agree():
    first, second = blocks("sh")[:2]
    assert first.strip() == ("python3 -m venv .venv && .venv/bin/pip install . && "
                             ".venv/bin/goexplint fixtures/loopvar/legacy")
    assert (ROOT / "fixtures" / "loopvar" / "legacy").is_dir()
    ci = (ROOT / ".ci" / "run").read_text()
    assert second.strip() in ci.splitlines()  # .ci/run runs exactly the README's test command


def precommit_snippet():
    [doc] = [d for d in yaml_blocks() if isinstance(d, dict) and "repos" in d]
    [text] = [text for text in blocks("yaml") if "repos:" in text]
    return doc, text


def snippet_hooks():
    """The hook ids the pre-commit snippet uses, and those it offers in comments."""
    doc, text = precommit_snippet()
    used = {h["id"] for repo in doc["repos"] for h in repo["hooks"]}
    return used, set(re.findall(r"#\s*- id: (\S+)", text))


def documented_hook_args():
    """The ``args: [...]`` the README suggests for the hooks (in its prose or in a block)."""
    out = [yaml.safe_load(m)["args"] for m in re.findall(r"args: \[[^\]\n]*\]", README)]
    assert out, "the README no longer suggests hook args: drop this check or find them"
    return out


def test_precommit_snippet(tmp_path):
    _, snippet = precommit_snippet()
    (tmp_path / ".pre-commit-config.yaml").write_text(snippet)
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "validate-config", ".pre-commit-config.yaml"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ids = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    used, commented = snippet_hooks()
    assert used and used | commented <= ids, "hooks %s are not in .pre-commit-hooks.yaml" % ((used | commented) - ids)


def test_pinned_tag_has_the_hooks(tag):
    manifest = yaml.safe_load(git("show", tag + ":.pre-commit-hooks.yaml").stdout)
    ids = {h["id"] for h in manifest}
    used, commented = snippet_hooks()
    assert used | commented <= ids, "hooks %s are not at %s" % ((used | commented) - ids, tag)


def goexplint_commands():
    """Every goexplint command line in the sh and yaml blocks: (tokens, pinned)."""
    out = []
    for kind, text in BLOCKS:
        if kind not in ("sh", "yaml"):
            continue
        pinned = "git+" in text
        for line in text.splitlines():
            m = COMMAND_RE.search(line.split(" #")[0].strip())
            if m and not m.group(1).startswith("goexplint:"):
                out.append((shlex.split(m.group(1)), pinned))
    return out


COMMAND_RE = re.compile(r"(?:^|run: |- |&& )(?:\.venv/bin/)?(goexplint(?: .*)?)$")
BENCH_RE = re.compile(r"(?:^|\s)(?:\S*/)?python3? (?:\S*/)?benchmarks/bench\.py((?: .*)?)$")


def rejected(parse, argv):
    """The argparse error for ``argv`` (None when accepted): ``parse`` is a real parser's parse_args."""
    try:
        parse(argv)
    except SystemExit as exc:  # argparse's own error(): usage on stderr, exit 2
        return "exit %s" % exc.code
    except cli.UsageError as exc:  # goexplint's parser says it in one line instead
        return str(exc)
    return None


def parse_goexplint(argv):
    cli.build_parser().parse_args(argv)


class _Parsed(Exception):
    pass


def parse_bench(argv, monkeypatch):
    """benchmarks/bench.py's own parser (built in its main()): its parse_args runs, then the run stops."""
    spec = importlib.util.spec_from_file_location("readme_bench", ROOT / "benchmarks" / "bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    real = argparse.ArgumentParser.parse_args

    def parse_then_stop(self, args=None, namespace=None):
        real(self, args, namespace)
        raise _Parsed
    with monkeypatch.context() as m:
        m.setattr(argparse.ArgumentParser, "parse_args", parse_then_stop)
        try:
            bench.main(argv)
        except _Parsed:
            return
    raise AssertionError("bench.main(%r) did not parse its arguments" % (argv,))


def usage_block():
    return next(text for kind, text in BLOCKS if kind == "" and text.lstrip().startswith("--format"))


def test_every_option_in_a_code_block_is_accepted(capsys, monkeypatch):
    """Every ``--option`` of every code block belongs to a command whose real parser accepts it: a goexplint
    command line is parsed whole, a benchmark command by bench.py's parser, the usage block's options (and
    the values it lists, ``a|b|c``) by goexplint's; an option anywhere else fails the test."""
    parser = cli.build_parser()
    goexplint_options = parser._option_string_actions
    seen = {"goexplint": 0, "bench": 0, "usage": 0}
    problems = []
    usage = usage_block()
    for kind, text in BLOCKS:
        for line in text.splitlines():
            code, _, comment = line.partition(" #")
            options = OPTION_RE.findall(line)
            if not options:
                continue
            command = COMMAND_RE.search(code.strip()) if kind in ("sh", "yaml") else None
            bench = BENCH_RE.search(code.strip())
            if command and not command.group(1).startswith("goexplint:"):
                seen["goexplint"] += 1
                error = rejected(parse_goexplint, shlex.split(command.group(1))[1:])
                extra = [o for o in OPTION_RE.findall(comment) if o not in goexplint_options]
            elif bench:
                seen["bench"] += 1
                error = rejected(lambda argv: parse_bench(argv, monkeypatch), shlex.split(bench.group(1)))
                extra = []  # the comments of the benchmark block describe, they name no goexplint option
            elif text is usage:
                seen["usage"] += 1
                error = None
                extra = [o for o in options if o not in goexplint_options]
                for opt, values in re.findall(r"(--[a-z][a-z0-9-]*) ([a-z]+(?:\|[a-z]+)+)\b", code):
                    action = goexplint_options.get(opt)
                    if action is not None and sorted(values.split("|")) != sorted(action.choices or ()):
                        problems.append("%s: the README lists %s, the parser takes %s" % (opt, values, action.choices))
                    for value in values.split("|"):
                        if rejected(parse_goexplint, [opt, value]):
                            problems.append("%s %s is rejected" % (opt, value))
            else:
                problems.append("%r: options in a %s block outside any command this test knows" % (
                    line, kind or "plain"))
                continue
            if error:
                problems.append("%r is rejected (%s): %s" % (line.strip(), error, capsys.readouterr().err.strip()))
            if extra:
                problems.append("%r names unknown options %s" % (line.strip(), extra))
    assert not problems, "\n".join(problems)
    assert seen["goexplint"] >= 6 and seen["bench"] >= 2 and seen["usage"] >= 20, seen


def test_hooks_and_their_documented_args_are_accepted():
    """Each hook's entry, alone and with every ``args`` the README suggests, parses with this commit's command line."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert len(hooks) >= 3
    for hook in hooks:
        entry = shlex.split(hook["entry"])
        assert entry[0] == "goexplint"
        for args in [[]] + documented_hook_args():
            assert rejected(parse_goexplint, entry[1:] + [str(a) for a in args]) is None, (hook["id"], args)


NOTE_ONLY = "package p\n\nfunc f(xs []int) {\n\tfor _, v := range xs {\n\t\tv := v\n\t\t_ = v\n\t}\n}\n"
ERROR = ("package p\n\nfunc use(int) {}\n\nfunc f(xs []int) {\n\tfor _, v := range xs {\n"
         "\t\tgo func() { use(v) }()\n\t}\n}\n")


def test_documented_hook_args_do_what_the_readme_says(tmp_path):
    """``args: [--fail-on, note]`` makes notes block a commit; ``[--fail-on, error]`` blocks only on errors (the
    hook's entry, run on a module with a note only and one with an error)."""
    for name, go, text in (("notes", "1.22", NOTE_ONLY), ("errors", "1.21", ERROR)):
        d = tmp_path / name
        d.mkdir()
        (d / "go.mod").write_text("module example.com/%s\n\ngo %s\n" % (name, go))
        (d / "a.go").write_text(text)
    [hook] = [h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text()) if h["id"] == "goexplint"]
    entry = shlex.split(hook["entry"])[1:]
    codes = {}
    for args in documented_hook_args():
        for name in ("notes", "errors"):
            proc = run_cli(*entry, *[str(a) for a in args], "--no-cache", "%s/a.go" % name, cwd=tmp_path)
            codes[(tuple(args), name)] = proc.returncode
    assert codes == {(("--fail-on", "note"), "notes"): 1, (("--fail-on", "note"), "errors"): 1,
                     (("--fail-on", "error"), "notes"): 0, (("--fail-on", "error"), "errors"): 1}, codes
    for name, code in (("notes", 0), ("errors", 1)):  # and without args, the default warning
        assert run_cli(*entry, "--no-cache", "%s/a.go" % name, cwd=tmp_path).returncode == code


PARSE_AT_TAG = """
import json, sys
from goexplint import cli
out = []
for argv in json.load(sys.stdin):
    try:
        cli.build_parser().parse_args(argv)
        out.append(None)
    except SystemExit as exc:
        out.append("exit %s" % exc.code)
    except Exception as exc:  # goexplint's parser raises its UsageError
        out.append("%s: %s" % (type(exc).__name__, exc))
print(json.dumps(out))
"""


def test_pinned_commands_parse_at_the_tag(tag, tmp_path):
    """The commands of the pinned recipes (the CI workflows) and the hooks with the suggested args, parsed by
    the tag's own command line (its tree, run in a subprocess)."""
    tree = tmp_path / "tree"
    tree.mkdir()
    archive = subprocess.run(["git", "archive", "--format=tar", tag], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    argvs = [tokens[1:] for tokens, pinned in goexplint_commands() if pinned]
    manifest = yaml.safe_load((tree / ".pre-commit-hooks.yaml").read_text())
    argvs += [shlex.split(h["entry"])[1:] + [str(a) for a in args] for h in manifest
              for args in [[]] + documented_hook_args()]
    assert len(argvs) >= 3 + 3
    env = dict(os.environ, PYTHONPATH=str(tree))
    proc = subprocess.run([sys.executable, "-c", PARSE_AT_TAG], input=json.dumps(argvs), cwd=tree, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    bad = [(argv, code) for argv, code in zip(argvs, json.loads(proc.stdout)) if code is not None]
    assert not bad, "rejected by the command line of %s: %s\n%s" % (tag, bad, proc.stderr)


def test_github_workflow():
    [wf] = [d for d in yaml_blocks() if isinstance(d, dict) and "jobs" in d]
    [job] = wf["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    steps = job["steps"]
    upload = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")]
    assert len(upload) == 1 and upload[0]["with"]["category"]
    runs = [s["run"] for s in steps if "run" in s]
    [lint] = [r for r in runs if r.startswith("goexplint ") and "--format sarif" in r]
    out = shlex.split(lint)
    assert out[out.index("--output") + 1] == upload[0]["with"]["sarif_file"]
    assert "--exit-zero" in out  # findings must not skip the upload
    assert any(r.startswith("pip install \"git+") for r in runs)


def test_gitlab_job():
    [doc] = [d for d in yaml_blocks() if isinstance(d, dict) and "goexplint" in d and "script" in d["goexplint"]]
    job = doc["goexplint"]
    reports = job["artifacts"]["reports"]
    outputs = {}
    for line in job["script"]:
        tokens = shlex.split(line)
        if tokens[0] == "goexplint":
            outputs[tokens[tokens.index("--format") + 1]] = tokens[tokens.index("--output") + 1]
    assert outputs == {"gitlab": reports["codequality"], "junit": reports["junit"]}


def test_configuration_examples_are_valid():
    examples = [tomllib.loads(text) for text in blocks("toml")]
    configs = [e for e in examples if "language-server" not in e]
    assert len(configs) >= 2
    for data in configs:
        config_mod.validate(data, "README")


def test_help_lists_the_language_server():
    assert "goexplint lsp" in cli.build_parser().format_help()


@pytest.mark.skipif(os.environ.get("GOEXPLINT_SKIP_BUILD") == "1", reason="GOEXPLINT_SKIP_BUILD=1")
def test_install_recipe_builds_at_the_pinned_tag(tag, tmp_path):
    """pip installs from git+URL@TAG: here the URL is this clone, the tag the README's."""
    url = "git+file://%s@%s" % (ROOT, tag)
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(tmp_path), url], capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, PIP_NO_INDEX="1"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheels = [p.name for p in tmp_path.glob("goexplint-*.whl")]
    assert wheels == ["goexplint-%s-py3-none-any.whl" % goexplint.__version__], wheels


def test_usage_block_lists_every_option():
    """The README's option block documents every (non-hidden) long option of --help."""
    block = usage_block()
    parser = cli.build_parser()
    options = {o for a in parser._actions if a.help != "==SUPPRESS==" for o in a.option_strings
               if o.startswith("--") and o != "--help"}
    missing = sorted(o for o in options if not re.search(re.escape(o) + r"\b", block))
    assert not missing, "README usage block lacks %s" % missing
