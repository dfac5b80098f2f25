"""Stack values checked against Pulumi.yaml's declared types, as the Pulumi CLI checks them before a run.

The expectations follow pulumi/pulumi's sdk/go/common/workspace/project.go `ValidateConfigValue` and
config.go `mergeConfig`/`validateStackConfigValues` on values read as config/value.go reads them (a
scalar is its text; a list or mapping is JSON): see costguard/stackconfig.py's docstring.
"""

from pathlib import Path

import pytest

from costguard import goyaml
from costguard.cli import main
from costguard.stackconfig import CaptureError, load_stack_config

ROOT = Path(__file__).resolve().parents[2]

PROJECT = """\
name: demo
runtime: python
config:
  count:
    type: integer
    default: 1
  flag:
    type: boolean
    default: false
  label:
    type: string
    default: ""
  origins:
    type: array
    items:
      type: string
    default: []
  sizes:
    type: array
    items:
      type: integer
    default: []
  switches:
    type: array
    items:
      type: boolean
    default: []
  grid:
    type: array
    items:
      type: array
      items:
        type: integer
    default: []
  tags:
    type: object
    default: {}
  loose: 7
"""

FULL_TYPE = {
    "count": "integer",
    "flag": "boolean",
    "label": "string",
    "origins": "array<string>",
    "sizes": "array<integer>",
    "switches": "array<boolean>",
    "grid": "array<array<integer>>",
    "tags": "object",
}


def program(tmp_path: Path, stack_config: str, project: str = PROJECT) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(project)
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n" + stack_config)
    (tmp_path / "__main__.py").write_text("")
    return tmp_path


def load_one(tmp_path: Path, key: str, yaml_value: str):
    return load_stack_config(program(tmp_path, f"  demo:{key}: {yaml_value}\n"), "dev")


ACCEPTED = [
    # integer: a string strconv.Atoi parses, whatever the YAML spelling of the scalar
    ("count", "256"),
    ("count", '"256"'),
    ("count", "'256'"),
    ("count", "+5"),
    ("count", "-3"),
    ("count", "007"),
    # boolean: exactly "true" or "false"
    ("flag", "true"),
    ("flag", "false"),
    ("flag", '"true"'),
    # string: any scalar, as written
    ("label", "12.5"),
    ("label", "256"),
    ("label", "yes"),
    ("label", "''"),
    ("label", "~"),
    ("label", "'[\"a\"]'"),
    # arrays: a YAML list whose items fit
    ("origins", "[https://a.example, https://b.example]"),
    ("origins", "[]"),
    ("origins", '["1"]'),
    ("origins", "\n    - https://a.example\n    - 2024-01-01"),
    ("sizes", "[1, 2]"),
    ("sizes", "[1.0, 0x10]"),
    ("sizes", '["3"]'),
    ("switches", "[true, false]"),
    ("switches", "[yes, off]"),  # YAML 1.1 booleans inside a list, as gopkg.in/yaml.v2 reads them
    ("switches", '["true"]'),
    ("grid", "[[1, 2], []]"),
    # object: a mapping
    ("tags", "{team: maps, size: 2}"),
    ("tags", "{}"),
]

REJECTED = [
    ("count", "256.0"),
    ("count", "1e3"),
    ("count", "0x10"),
    ("count", "1_000"),
    ("count", '"12.5"'),
    ("count", "'  256'"),
    ("count", "''"),
    ("count", "~"),
    ("count", "99999999999999999999"),
    ("count", "[1]"),
    ("flag", "yes"),
    ("flag", "no"),
    ("flag", "on"),
    ("flag", "True"),
    ("flag", "FALSE"),
    ("flag", "1"),
    ("flag", "[true]"),
    ("label", "[a]"),
    ("label", "{a: b}"),
    ("origins", "'[\"https://a.example.org\"]'"),  # a string that looks like a list is a string
    ("origins", "https://a.example.org"),
    ("origins", "[1]"),
    ("origins", "[y]"),  # y is a boolean to yaml.v2
    ("origins", "[a, ~]"),
    ("origins", "{a: b}"),
    ("sizes", "[1.5]"),
    ("sizes", "[true]"),
    ("sizes", '["1.5"]'),
    ("switches", '["yes"]'),
    ("switches", "[1]"),
    ("grid", "[1]"),
    ("tags", "'{\"a\": 1}'"),
    ("tags", "[a]"),
    ("tags", "a"),
]


@pytest.mark.parametrize(("key", "yaml_value"), ACCEPTED)
def test_values_the_cli_accepts(tmp_path, key, yaml_value):
    load_one(tmp_path, key, yaml_value)


@pytest.mark.parametrize(("key", "yaml_value"), REJECTED)
def test_values_the_cli_rejects_with_its_message(tmp_path, key, yaml_value):
    with pytest.raises(CaptureError) as caught:
        load_one(tmp_path, key, yaml_value)
    message = str(caught.value)
    assert message.startswith(
        f"validating stack config: Stack 'dev' with configuration key '{key}' "
        f"must be of type '{FULL_TYPE[key]}': Pulumi.dev.yaml sets demo:{key} to "
    )
    assert "\n" not in message


def test_a_string_for_an_array_fails_plan_with_one_line_and_exit_2(tmp_path, capsys):
    # The case the CLI refuses and `make plan` used to accept.
    program(tmp_path, "  demo:origins: '[\"https://a.example.org\"]'\n")
    code = main(["plan", "--program", str(tmp_path), "--stack", "dev", "--policy-pack", "none"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        "costguard: validating stack config: Stack 'dev' with configuration key 'origins' must be of type "
        "'array<string>': Pulumi.dev.yaml sets demo:origins to the string '[\"https://a.example.org\"]'; "
        "write a YAML list (`- item` lines or `[a, b]`) of string items, not a string\n"
    )


def test_undeclared_types_are_not_checked_and_unset_keys_keep_their_defaults(tmp_path):
    cfg = load_stack_config(program(tmp_path, "  demo:loose: [1, 2]\n  demo:count: 3\n"), "dev")
    assert cfg.config["demo:loose"] == [1, 2]
    assert cfg.config["demo:count"] == 3
    assert cfg.config["demo:origins"] == [] and cfg.config["demo:tags"] == {}
    assert cfg.config["demo:flag"] is False and cfg.config["demo:label"] == ""
    program_config = cfg.program_config()
    assert program_config["demo:flag"] == "false" and program_config["demo:sizes"] == "[]"


def test_the_program_gets_a_stack_scalar_as_written(tmp_path):
    # The CLI passes the text ("yes", "0x10"), not a YAML reading of it ("true", "16").
    cfg = load_stack_config(
        program(tmp_path, "  demo:label: yes\n  demo:loose: 0x10\n  demo:count: '+5'\n"), "dev"
    )
    program_config = cfg.program_config()
    assert (program_config["demo:label"], program_config["demo:loose"]) == ("yes", "0x10")
    assert program_config["demo:count"] == "+5"


REQUIRED_KEYS = [("region", "string"), ("zones", "integer"), ("email", "string")]


def test_a_project_key_without_default_must_be_set(tmp_path):
    project = PROJECT + "".join(f"  {key}:\n    type: {kind}\n" for key, kind in REQUIRED_KEYS)
    with pytest.raises(CaptureError) as caught:
        load_stack_config(program(tmp_path, "  demo:count: 2\n", project), "dev")
    assert str(caught.value) == (
        "validating stack config: Stack 'dev' is missing configuration values 'email', 'region' and "
        "'zones': set them in Pulumi.dev.yaml (`pulumi config set KEY VALUE`) or give them defaults "
        "in Pulumi.yaml"
    )
    with pytest.raises(CaptureError) as caught:
        load_stack_config(program(tmp_path, "  demo:region: x\n  demo:zones: 2\n", project), "dev")
    assert str(caught.value).startswith(
        "validating stack config: Stack 'dev' is missing configuration value 'email': set it in "
    )


def test_a_secret_key_must_be_encrypted_and_secrets_are_checked_as_far_as_offline_can(tmp_path):
    project = PROJECT + "  token:\n    type: string\n    secret: true\n    default: none\n"
    with pytest.raises(CaptureError) as caught:
        load_stack_config(program(tmp_path, "  demo:token: plain\n", project), "dev")
    assert str(caught.value).startswith(
        "validating stack config: Stack 'dev' with configuration key 'token' must be encrypted as it's "
        "secret: Pulumi.dev.yaml has it in plain text"
    )
    secure = "\n    secure: v1:abcdefgh\n"
    cfg = load_stack_config(program(tmp_path, f"  demo:token:{secure}  demo:count:{secure}", project), "dev")
    assert cfg.config["demo:token"] == "none"  # the declared default stands in for the secret
    assert set(cfg.secret_keys) == {"demo:token", "demo:count"}
    # A secret is a string once decrypted: never a list, whatever the ciphertext holds.
    with pytest.raises(CaptureError, match="'origins' must be of type 'array<string>'"):
        load_stack_config(program(tmp_path, f"  demo:origins:{secure}", project), "dev")
    # A secret inside a list decrypts to a string item.
    load_stack_config(program(tmp_path, "  demo:origins:\n    - secure: v1:abc\n", project), "dev")
    with pytest.raises(CaptureError, match="'sizes' must be of type 'array<integer>'"):
        load_stack_config(program(tmp_path, "  demo:sizes:\n    - secure: v1:abc\n", project), "dev")


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        (
            "  ratio:\n    type: number\n",
            "Pulumi.yaml: configuration key 'ratio' declares type 'number': the Pulumi CLI knows string, "
            "integer, boolean, array (with `items:`) and object; a number is a string or integer",
        ),
        (
            "  names:\n    type: array\n",
            "Pulumi.yaml: The configuration key 'names' declares an array but does not specify the "
            "underlying type via the 'items' attribute",
        ),
        (
            "  budget:\n    type: string\n    default: 10\n",
            "Pulumi.yaml: The default value specified for configuration key 'budget' is not of the "
            "expected type 'string'",
        ),
        (
            "  cpu:\n    type: integer\n    default: 12.5\n",
            "Pulumi.yaml: The default value specified for configuration key 'cpu' is not of the "
            "expected type 'integer'",
        ),
        (
            "  ids:\n    type: array\n    items:\n      type: integer\n    default: [a]\n",
            "Pulumi.yaml: The default value specified for configuration key 'ids' is not of the "
            "expected type 'array<integer>'",
        ),
        (
            "  aws:region:\n    type: string\n    value: us-east-1\n",
            "Pulumi.yaml: Configuration key 'aws:region' is not namespaced by the project and should "
            "not define a type",
        ),
        (
            "  aws:region:\n    default: us-east-1\n",
            "Pulumi.yaml: Configuration key 'aws:region' is not namespaced by the project and should "
            "not define a default value. Did you mean to use the 'value' attribute instead of 'default'?",
        ),
        (
            "  mode:\n    type: string\n    default: a\n    value: b\n",
            "Pulumi.yaml: project config 'mode' cannot have both a 'default' and 'value' attribute",
        ),
    ],
)
def test_the_project_file_is_checked_as_the_cli_loads_it(tmp_path, declaration, message):
    with pytest.raises(CaptureError) as caught:
        load_stack_config(program(tmp_path, "", PROJECT + declaration), "dev")
    assert str(caught.value) == message


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_this_projects_stacks_pass_the_cli_checks(stack):
    cfg = load_stack_config(ROOT, stack)
    assert cfg.config["safety-heatmap:cpu"] == 256
    assert cfg.config["safety-heatmap:corsAllowOrigins"] == []  # unset: the declared default
    assert cfg.program_config()["safety-heatmap:monthlyBudgetUsd"] == ("10" if stack == "dev" else "30")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("256", 256),
        ("0x10", 16),
        ("0o17", 15),
        ("017", 15),
        ("1_000", 1000),
        ("08", 8.0),
        ("1e3", 1000.0),
        ("12.5", 12.5),
        (".5", 0.5),
        ("1e400", "1e400"),
        ("y", True),
        ("Off", False),
        ("~", None),
        ("Null", None),
        ("1:30", "1:30"),
        ("2024-01-01", "2024-01-01"),
        ("'yes'", "yes"),
        ("!!str 5", "5"),
        ("!!float 5", 5.0),
    ],
)
def test_scalars_resolve_as_gopkg_in_yaml_v2_does(text, expected):
    assert goyaml.load(f"v: {text}") == {"v": expected}


def test_yaml_v2_merge_keys_and_key_spelling():
    # Keys are strings as Pulumi prints them (fmt "%v"): 1 -> "1", and y/yes are booleans to yaml.v2.
    assert goyaml.load("a: &a {p: 1, q: 2}\nb:\n  <<: *a\n  q: 3\n  1: one\n  y: true\n") == {
        "a": {"p": 1, "q": 2},
        "b": {"p": 1, "q": 3, "1": "one", "true": True},
    }
    with pytest.raises(goyaml.GoYamlError, match="cannot decode !!str `abc` as a !!int"):
        goyaml.load("v: !!int abc")
