"""The README's recipes, checked as far as they can be offline.

Every fenced ``sh``/``yaml``/``toml`` block is extracted.  The install recipes, the pre-commit
snippet and the CI workflows pin one commit of this repository: it must resolve here (skipped, not
failed, in a shallow clone that lacks it), be an ancestor of HEAD, carry the hooks the snippet
names and the options the pinned commands use, and build as a wheel from ``git+file://...@REF``.
The workflows must parse and upload SARIF with a ``category``; every ``goexplint`` command's options
must exist in ``--help``; the configuration examples must be valid configuration.
"""

import os
import re
import shlex
import subprocess
import sys
import tomllib

import pytest
import yaml

from conftest import ROOT
from goexplint import cli
from goexplint.core import config as config_mod
from goexplint.report import sarif

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```(\w*)\n(.*?)^```", README, re.S | re.M)
PIN_RE = re.compile(r"git\+(\S+?)@([0-9a-zA-Z._/-]+)\"?")


def blocks(lang):
    return [text for kind, text in BLOCKS if kind == lang]


def yaml_blocks():
    return [yaml.safe_load(text) for text in blocks("yaml")]


def repo_url():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]


def pins():
    """(url, ref) of every git install in the README, and the pre-commit snippet's (repo, rev)."""
    found = PIN_RE.findall(README)
    for doc in yaml_blocks():
        if isinstance(doc, dict) and "repos" in doc:
            found += [(r["repo"], str(r["rev"])) for r in doc["repos"]]
    return found


def the_ref():
    refs = {ref for _, ref in pins()}
    assert len(refs) == 1, "the README's recipes pin different revisions: %s" % sorted(refs)
    return refs.pop()


def git(*args):
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)


@pytest.fixture(scope="module")
def ref():
    """The pinned commit, present in this clone (else skip: a shallow CI checkout may lack it)."""
    ref = the_ref()
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    if git("cat-file", "-e", ref + "^{commit}").returncode != 0:
        shallow = git("rev-parse", "--is-shallow-repository").stdout.strip() == "true"
        if shallow:
            pytest.skip("shallow clone without the pinned commit %s" % ref)
        pytest.fail("the README pins %s, which this repository does not have; pin a commit of main "
                    "(e.g. git log -1 --format=%%H -- goexplint/report/ci.py)" % ref)
    return ref


def test_two_setup_commands_and_ci_run_agree():
    first, second = blocks("sh")[:2]
    assert first.strip() == ("python3 -m venv .venv && .venv/bin/pip install . && "
                             ".venv/bin/goexplint fixtures/loopvar/legacy")
    assert (ROOT / "fixtures" / "loopvar" / "legacy").is_dir()
    ci = (ROOT / ".ci" / "run").read_text()
    assert second.strip() in ci.splitlines()  # .ci/run runs exactly the README's test command


def test_every_pin_is_a_full_commit_of_the_project_url():
    found = pins()
    assert len(found) >= 5  # pipx, pip, GitHub workflow, GitLab job, pre-commit
    assert {url for url, _ in found} == {repo_url()} == {sarif.INFO_URI}
    assert re.fullmatch(r"[0-9a-f]{40}", the_ref()), "pin a full commit SHA (tags may be missing in CI clones)"


def test_pinned_commit_is_in_this_history(ref):
    assert git("merge-base", "--is-ancestor", ref, "HEAD").returncode == 0, "%s is not an ancestor of HEAD" % ref


def test_precommit_snippet(ref, tmp_path):
    [doc] = [d for d in yaml_blocks() if isinstance(d, dict) and "repos" in d]
    snippet = [text for text in blocks("yaml") if "repos:" in text][0]
    (tmp_path / ".pre-commit-config.yaml").write_text(snippet)
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "validate-config", ".pre-commit-config.yaml"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    manifest = yaml.safe_load(git("show", ref + ":.pre-commit-hooks.yaml").stdout)
    ids = {h["id"] for h in manifest}
    used = {h["id"] for repo in doc["repos"] for h in repo["hooks"]}
    commented = set(re.findall(r"#\s*- id: (\S+)", snippet))
    assert used and used | commented <= ids, "hooks %s not at the pinned commit" % ((used | commented) - ids)


def goexplint_commands():
    """Every goexplint command line in the sh and yaml blocks: (tokens, pinned)."""
    out = []
    for kind, text in BLOCKS:
        if kind not in ("sh", "yaml"):
            continue
        pinned = "git+" in text
        for line in text.splitlines():
            line = line.split(" #")[0].strip()
            m = re.search(r"(?:^|run: |- |&& )(?:\.venv/bin/)?(goexplint(?: .*)?)$", line)
            if m and not m.group(1).startswith("goexplint:"):
                out.append((shlex.split(m.group(1)), pinned))
    return out


def test_commands_use_options_that_exist(ref):
    parser = cli.build_parser()
    known = {o for a in parser._actions for o in a.option_strings}
    pinned_cli = git("show", ref + ":goexplint/cli.py").stdout
    commands = goexplint_commands()
    assert len(commands) >= 7 and sum(pinned for _, pinned in commands) >= 3
    for tokens, pinned in commands:
        assert tokens[0] == "goexplint"
        for i, tok in enumerate(tokens[1:], 1):
            if not tok.startswith("--"):
                continue
            opt = tok.split("=")[0]
            assert opt in known, "%s: %s is not an option" % (" ".join(tokens), opt)
            if pinned:
                assert '"%s"' % opt in pinned_cli, "%s: %s is missing at the pinned commit" % (tokens, opt)
            if opt == "--format":
                assert tokens[i + 1] in cli.FORMATS
                if pinned:
                    assert '"%s"' % tokens[i + 1] in pinned_cli
        parser.parse_args(tokens[1:])  # the whole command parses (argparse exits on errors)


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
def test_install_recipe_builds_at_the_pinned_commit(ref, tmp_path):
    """pip installs from git+URL@REF: here the URL is this clone, the ref the README's."""
    url = "git+file://%s@%s" % (ROOT, ref)
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(tmp_path), url], capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, PIP_NO_INDEX="1"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheels = [p.name for p in tmp_path.glob("goexplint-*.whl")]
    assert len(wheels) == 1, wheels


def test_usage_block_lists_every_option():
    """The README's option block documents every (non-hidden) long option of --help."""
    block = next(text for kind, text in BLOCKS if kind == "" and text.lstrip().startswith("--format"))
    parser = cli.build_parser()
    options = {o for a in parser._actions if a.help != "==SUPPRESS==" for o in a.option_strings
               if o.startswith("--") and o != "--help"}
    missing = sorted(o for o in options if not re.search(re.escape(o) + r"\b", block))
    assert not missing, "README usage block lacks %s" % missing
