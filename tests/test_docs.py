"""Docs stay honest: every CLI command has help text and is documented in the guide, every
config key is in the generated reference with a description, the guide builds with
``mkdocs build --strict``, and the README's test command is what CI runs."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

from generator.cli import build_parser
from generator.config import DigestConfig, SelectionPrompt, config_json_schema
from generator.site import reference

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "guide"
GUIDE_PAGES = ("index.md", "setup.md", "faq.md", "local.md", "scoring.md", "fetching.md")


def _commands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _help_texts() -> dict[str, str | None]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return {action.dest: action.help for action in sub._choices_actions}


def _guide_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(GUIDE.glob("*.md")))


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_command_has_help_and_is_in_the_guide(name: str) -> None:
    parser = _commands()[name]
    assert _help_texts()[name], f"`arxiv-digest {name}` has no help line"
    assert parser.description, f"`arxiv-digest {name}` has no description"
    assert f"`arxiv-digest {name}" in _guide_text(), f"`arxiv-digest {name}` is not in docs/guide"
    for action in parser._actions:
        assert action.help, f"`arxiv-digest {name}` option {action.option_strings} has no help"


def test_global_help_lists_every_command() -> None:
    text = build_parser().format_help()
    for name in _commands():
        assert name in text


def _leaf_models() -> list[tuple[str, type[BaseModel]]]:
    """Every model whose keys the reference lists, with the prefix of its keys."""
    out: list[tuple[str, type[BaseModel]]] = [("", DigestConfig)]
    for root in (DigestConfig, SelectionPrompt):
        if root is SelectionPrompt:
            out.append(("", SelectionPrompt))
        for name, info in root.model_fields.items():
            model, is_list = reference._model_of(info.annotation)
            if model is not None:
                out.append((f"{name}[]." if is_list else f"{name}.", model))
    return out


def test_every_config_key_is_in_the_reference_with_a_description() -> None:
    html = reference.render_reference("schema.json", "prompt.schema.json")
    missing, undocumented = [], []
    for prefix, model in _leaf_models():
        for key_doc in reference.keys_of(model, prefix):
            if f"<code>{key_doc.key}</code>" not in html:
                missing.append(key_doc.key)
            if not str(key_doc.doc).strip():
                undocumented.append(f"{model.__name__}.{key_doc.key}")
    assert not missing, f"keys missing from the reference: {missing}"
    assert not undocumented, (
        f"add a Field(description=...) (or a FALLBACK_DOCS entry) for: {undocumented}"
    )
    # Nested sections are found from the models themselves, so a new section cannot hide.
    sections = {s.title for s in reference.config_sections()}
    assert {"arxiv", "llm", "scoring", "site", "followed_authors[]"} <= sections


def test_reference_types_and_defaults_follow_the_schema() -> None:
    keys = {
        k.key: k
        for k in reference.keys_of(DigestConfig.model_fields["scoring"].annotation, "scoring.")
    }  # type: ignore[arg-type]
    assert keys["scoring.scorer"].type == "one of: auto, llm, local"
    assert keys["scoring.scorer"].default == '"auto"'
    assert keys["scoring.relevance_min"].type == "int, >= 1 and <= 10"
    assert keys["scoring.budget_usd"].type.startswith("float or null")
    html = reference.render_reference("s.json", "p.json")
    assert "<script" not in html and "OPENAI_API_KEY" in html and "DIGEST_ARXIV_RSS_URL" in html


@pytest.mark.slow
def test_guide_builds_strict_with_the_reference(tmp_path: Path) -> None:
    missing = [page for page in GUIDE_PAGES if not (GUIDE / page).is_file()]
    assert not missing, f"guide pages missing: {missing}"
    site = tmp_path / "site"
    env = {
        **os.environ,
        "SITE_URL": "https://example.github.io/digest/",
        "NO_MKDOCS_2_WARNING": "1",
    }
    env.pop("DIGEST_CONFIG", None)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    page = (site / "guide" / "configuration" / "index.html").read_text(encoding="utf-8")
    for key in ("llm.model", "scoring.budget_usd", "topics[].name", "OPENAI_API_KEY"):
        assert f"<code>{key}</code>" in page, key
    assert 'href="../digest.schema.json"' in page
    schema = json.loads((site / "guide" / "digest.schema.json").read_text(encoding="utf-8"))
    assert schema == config_json_schema()
    for name in ("setup", "faq", "local", "scoring", "fetching"):
        assert (site / "guide" / name / "index.html").is_file(), name
    setup = (site / "guide" / "setup" / "index.html").read_text(encoding="utf-8")
    assert 'href="../configuration/"' in setup  # the link to the generated page resolved


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", readme, flags=re.S)
    commands = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    assert "make test" in commands, "the README must give `make test` as the test command"
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test\b", ci_run, flags=re.M), ".ci/run must run `make test`"
    ci_yml = (ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    assert re.search(r"run: make test\b", ci_yml)


def test_readme_leads_a_newcomer_to_the_guide() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/guide/setup.md" in readme


def test_every_guide_page_is_in_the_navigation() -> None:
    """The nav is explicit (so the guide reads in order): a new page must be added to it."""
    import yaml

    class _EnvLoader(yaml.SafeLoader):
        pass

    _EnvLoader.add_constructor("!ENV", lambda loader, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_EnvLoader)

    def entries(nav: object) -> list[str]:
        if isinstance(nav, str):
            return [nav]
        if isinstance(nav, list):
            return [e for item in nav for e in entries(item)]
        if isinstance(nav, dict):
            return [e for value in nav.values() for e in entries(value)]
        return []

    listed = set(entries(config["nav"]))
    pages = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs/guide").glob("*.md")}
    assert pages - listed == set(), "guide pages missing from mkdocs.yml nav"
    for generated in (
        "index.md",
        "archive.md",
        "search.md",
        "tags.md",
        "guide/configuration.md",
        "reference/day-file.md",
    ):
        assert generated in listed
