"""The GitHub Actions workflow, checked offline: it is a valid workflow, it runs the README's two
commands and nothing else of its own, it publishes what `make book` builds, and the addresses the
README links to are the ones `_config.yml` sets.

GitHub cannot be reached from here, so the workflow is validated against the GitHub-workflow JSON
schema that check-jsonschema ships inside its package (`--builtin-schema`): nothing is downloaded.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers_repo import ROOT, config

WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"
README = ROOT / "README.md"
# what a job may use besides its `run` steps: the runner's set-up and GitHub Pages' own actions
ALLOWED_ACTIONS = {
    "actions/checkout", "actions/setup-python",
    "actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages",
}  # fmt: skip


def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as the boolean true
    return data


def schema_check(path: Path) -> subprocess.CompletedProcess:
    """check-jsonschema against the GitHub-workflow schema inside its wheel: no network."""
    schema = ["--builtin-schema", "vendor.github-workflows"]
    command = [sys.executable, "-m", "check_jsonschema", *schema, str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def readme_commands() -> list[str]:
    """The commands of the README's Quick start: the lines of its first fenced block, comments dropped."""
    text = README.read_text()
    quick = text[text.index("## Quick start") :]
    block = re.search(r"```(?:bash|sh)?\n(.*?)```", quick, re.S)
    assert block, "the README's Quick start has no fenced block of commands"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.split("#")[0].strip()]


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def runs(job: dict) -> list[str]:
    """The shell commands of a job's `run` steps."""
    return [step["run"].strip() for step in steps(job) if "run" in step]


def test_workflow_is_valid_for_github():
    result = schema_check(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path):
    broken = workflow()
    del broken["jobs"]["test"]["runs-on"]  # a job without a runner: GitHub refuses the whole file
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump(broken))
    result = schema_check(path)
    assert result.returncode != 0
    assert "runs-on" in result.stdout


def test_the_workflow_runs_exactly_the_readme_commands():
    commands = readme_commands()
    assert commands == ["make book", "make test"]
    ran = [command for job in workflow()["jobs"].values() for command in runs(job)]
    assert sorted(ran) == sorted(commands), f"the workflow runs {ran}, the README says {commands}"


def test_pull_requests_run_the_tests_and_pushes_to_the_book_branch_build_it():
    data = workflow()
    branch = config()["repository"]["branch"]
    assert "pull_request" in data["on"]
    assert data["on"]["push"]["branches"] == [branch]
    by_event = {}
    for name, job in data["jobs"].items():
        event = re.search(r"github\.event_name == '(\w+)'", job.get("if", ""))
        if runs(job):
            assert event, f"job {name} runs {runs(job)} on every event"
            by_event[event.group(1)] = runs(job)
    assert by_event == {"pull_request": ["make test"], "push": ["make book"]}


@pytest.mark.parametrize("job", ["test", "book", "deploy"])
def test_jobs_use_only_python_set_up_and_pages_actions(job):
    for step in steps(workflow()["jobs"][job]):
        if "uses" in step:
            action = step["uses"].split("@")[0]
            assert action in ALLOWED_ACTIONS, f"job {job} uses {action}: the Makefile should do it instead"
            if action == "actions/setup-python":
                runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()  # python-3.11
                assert f"python-{step['with']['python-version']}" == runtime


def test_the_site_that_make_book_builds_is_deployed_to_pages():
    jobs = workflow()["jobs"]
    uploads = [s for s in steps(jobs["book"]) if s.get("uses", "").startswith("actions/upload-pages-")]
    assert [s["with"]["path"] for s in uploads] == ["_build/html"]
    deploy = jobs["deploy"]
    assert deploy["needs"] == "book"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in steps(deploy)] == ["actions/deploy-pages"]


def test_readme_links_point_at_the_repository_in_config():
    """`repository.url` is the one place for the address: every link of the README to the repository,
    its GitHub Pages site, Colab or Binder must name the same owner and repository."""
    owner, name = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+)", config()["repository"]["url"]).groups()
    text = README.read_text()
    patterns = [
        r"https://github\.com/([\w.-]+)/([\w.-]+)",
        r"https://([\w-]+)\.github\.io/([\w.-]+)",
        r"colab\.research\.google\.com/github/([\w.-]+)/([\w.-]+)",
        r"mybinder\.org/v2/gh/([\w.-]+)/([\w.-]+)",
    ]
    found = [m.groups() for pattern in patterns for m in re.finditer(pattern, text)]
    assert len(found) >= 3, "the README should link to the site, Colab and Binder"
    for found_owner, found_name in found:
        assert (found_owner.lower(), found_name) == (owner.lower(), name), (
            f"README links to {found_owner}/{found_name}; _config.yml's repository.url is {owner}/{name}"
        )
