from pathlib import Path

import pytest

from costguard.stackconfig import SECRET_PLACEHOLDER, CaptureError, load_stack_config

PROJECT = """\
name: demo
runtime: python
config:
  plain: hello
  count: 2
  cpu:
    type: integer
    default: 256
    description: Task CPU units.
  retention:
    type: integer
    description: Days, no default (the stack sets it).
  tags:
    type: object
    default:
      team: maps
  aws:region: us-east-1
  aws:profile:
    value: default
  demo:alarmEmail:
    type: string
    default: ops@example.com
  spot:
    type: boolean
  ratio:
    type: string
  origins:
    type: array
    items:
      type: string
  apiKey:
    type: string
    secret: true
"""


# The keys PROJECT declares without a default: a stack must set them all (the CLI refuses it otherwise).
REQUIRED = (
    "  demo:retention: 14\n"
    "  demo:spot: false\n"
    "  demo:ratio: 0.25\n"
    "  demo:origins: []\n"
    "  demo:apiKey:\n    secure: v1:abcdefgh\n"
)


def write(directory: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return directory


def test_project_defaults_then_stack_values_with_qualified_keys(tmp_path):
    write(
        tmp_path,
        {
            "Pulumi.yaml": PROJECT,
            "Pulumi.dev.yaml": (
                "config:\n"
                "  aws:region: eu-west-1\n"
                "  demo:cpu: 512\n"
                "  demo:spot: true\n"
                "  demo:ratio: 0.5\n"
                "  demo:origins:\n    - https://a.example\n    - https://b.example\n"
                "  demo:apiKey:\n    secure: v1:abcdefgh\n"
                "  demo:retention: 14\n"
            ),
            "__main__.py": "",
        },
    )
    cfg = load_stack_config(tmp_path, "dev")
    assert cfg.project == "demo" and cfg.stack == "dev" and cfg.runtime == "python"
    assert cfg.main == tmp_path / "__main__.py"
    assert cfg.config == {
        "demo:plain": "hello",
        "demo:count": 2,
        "demo:cpu": 512,
        "demo:tags": {"team": "maps"},
        "aws:region": "eu-west-1",
        "aws:profile": "default",
        "demo:alarmEmail": "ops@example.com",
        "demo:spot": True,
        "demo:ratio": 0.5,
        "demo:origins": ["https://a.example", "https://b.example"],
        "demo:apiKey": SECRET_PLACEHOLDER,
        "demo:retention": 14,
    }
    assert cfg.secret_keys == ("demo:apiKey",)
    # What the program gets: a stack scalar as written, a list as JSON, a default as the CLI prints it.
    program = cfg.program_config()
    assert (program["demo:cpu"], program["demo:spot"], program["demo:ratio"]) == ("512", "true", "0.5")
    assert program["demo:origins"] == '["https://a.example","https://b.example"]'
    assert program["demo:count"] == "2" and program["demo:tags"] == '{"team":"maps"}'


def test_program_config_is_what_the_cli_passes_strings_and_json(tmp_path):
    write(
        tmp_path,
        {"Pulumi.yaml": PROJECT, "Pulumi.dev.yaml": "config:\n" + REQUIRED, "__main__.py": ""},
    )
    program = load_stack_config(tmp_path, "dev").program_config()
    assert program["demo:cpu"] == "256"
    assert program["demo:spot"] == "false"
    assert program["demo:tags"] == '{"team":"maps"}'
    assert program["aws:region"] == "us-east-1"


def test_secret_inside_an_object_is_a_placeholder(tmp_path):
    write(
        tmp_path,
        {
            "Pulumi.yaml": "name: demo\nruntime: python\n",
            "Pulumi.prod.yaml": "config:\n  demo:db:\n    user: app\n    password:\n      secure: v1:xyz\n",
            "__main__.py": "",
        },
    )
    cfg = load_stack_config(tmp_path, "prod")
    assert cfg.config["demo:db"] == {"user": "app", "password": SECRET_PLACEHOLDER}
    assert cfg.secret_keys == ("demo:db",)


def test_stack_file_without_config_block_and_main_directory(tmp_path):
    write(
        tmp_path,
        {
            "Pulumi.yaml": "name: demo\nruntime:\n  name: python\nmain: src/\n",
            "Pulumi.dev.yaml": "",
            "src/__main__.py": "",
        },
    )
    cfg = load_stack_config(tmp_path, "dev")
    assert cfg.config == {} and cfg.main == tmp_path / "src" / "__main__.py"


def test_missing_project_file(tmp_path):
    with pytest.raises(CaptureError) as err:
        load_stack_config(tmp_path, "dev")
    assert str(err.value) == (
        f"no Pulumi.yaml in {tmp_path}: point --program at a Pulumi project directory "
        "(or create one with `pulumi new python`)"
    )


def test_missing_stack_file(tmp_path):
    write(tmp_path, {"Pulumi.yaml": "name: demo\nruntime: python\n", "__main__.py": ""})
    with pytest.raises(CaptureError) as err:
        load_stack_config(tmp_path, "staging")
    assert str(err.value) == (
        f"no Pulumi.staging.yaml in {tmp_path}: create it with `pulumi stack init staging` "
        "or pass --stack with an existing stack"
    )


def test_malformed_yaml_is_one_line_with_the_line_number(tmp_path):
    write(
        tmp_path,
        {
            "Pulumi.yaml": "name: demo\nruntime: python\n",
            "Pulumi.dev.yaml": "config:\n  a: [1, 2\n",
            "__main__.py": "",
        },
    )
    with pytest.raises(CaptureError) as err:
        load_stack_config(tmp_path, "dev")
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith("Pulumi.dev.yaml line 3 is not valid YAML: ")


def test_non_python_runtime_is_refused(tmp_path):
    write(tmp_path, {"Pulumi.yaml": "name: demo\nruntime: nodejs\n", "Pulumi.dev.yaml": ""})
    with pytest.raises(CaptureError) as err:
        load_stack_config(tmp_path, "dev")
    assert str(err.value) == (
        f"Pulumi.yaml in {tmp_path} declares runtime 'nodejs': costguard can only capture Python programs "
        "(runtime: python)"
    )


def test_missing_entry_point(tmp_path):
    write(tmp_path, {"Pulumi.yaml": "name: demo\nruntime: python\nmain: app.py\n", "Pulumi.dev.yaml": ""})
    with pytest.raises(CaptureError) as err:
        load_stack_config(tmp_path, "dev")
    assert str(err.value) == f"program entry point app.py not found in {tmp_path}: fix `main:` in Pulumi.yaml"


def test_a_secret_takes_the_declared_default_offline(tmp_path):
    write(
        tmp_path,
        {
            "Pulumi.yaml": PROJECT,
            "Pulumi.dev.yaml": "config:\n  demo:alarmEmail:\n    secure: v1:abcdefgh\n" + REQUIRED,
            "__main__.py": "",
        },
    )
    cfg = load_stack_config(tmp_path, "dev")
    assert cfg.config["demo:alarmEmail"] == "ops@example.com"
    assert "demo:alarmEmail" in cfg.secret_keys


def test_an_undeclared_project_key_is_refused_like_the_cli_does(tmp_path):
    write(
        tmp_path,
        {
            "Pulumi.yaml": PROJECT,
            "Pulumi.dev.yaml": "config:\n  demo:cpuu: 512\n  aws:profile: other\n",
            "__main__.py": "",
        },
    )
    with pytest.raises(CaptureError) as caught:
        load_stack_config(tmp_path, "dev")
    assert str(caught.value) == (
        "Pulumi.dev.yaml sets demo:cpuu, which Pulumi.yaml does not declare: "
        "fix the key's spelling or declare it under `config:`"
    )
