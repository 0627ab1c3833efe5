"""The built wheel works on its own: installed in a fresh virtualenv, outside the checkout.

The wheel is built offline (``pip wheel --no-deps --no-build-isolation``, with the setuptools
of the test extra) from a copy of the repository, so a stale ``build/`` of a working copy
cannot leak into it and nothing is written into the checkout.

The virtualenv is created *without* system site-packages, and the dependencies already
installed for the tests are reached through a plain ``.pth`` file listing the test
interpreter's site-packages folders. Why not ``venv --system-site-packages``: the editable
install (``pip install -e``) puts a setuptools finder there (``__editable__…pth``) that maps
``consolidate``, ``consolidate.specs`` and ``consolidate.templates`` to this checkout; it runs
after the normal path finder, so ``consolidate`` itself comes from the venv, but a package
missing from the wheel (say ``consolidate/specs``) is then silently served from the checkout
-- the very bug this test is for. Folders listed in a ``.pth`` file go on ``sys.path``, but the
``.pth`` files inside them are not run (only site folders get that), so the editable finder is
never installed and the checkout is not importable: everything ``consolidate`` comes from the
wheel, and the check below asserts it. The venv needs no pip of its own (no ``ensurepip``):
the test's pip installs into it with ``pip --python``. Nothing is downloaded (``--no-index``).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(importlib.util.find_spec("venv") is None,
                                reason="the venv module is not available (Debian: python3-venv)")

# Not copied when building: version control, build outputs, caches, local runs.
TOP_LEVEL_SKIP = {".git", "build", "dist", "demo", ".venv", "venv", ".tox", ".pytest_cache",
                  ".ruff_cache", ".mypy_cache"}

# Run by the venv's python from a folder outside the checkout: every consolidate module and
# shipped resource in use must be the venv's copy, and the checkout must not be reachable.
ORIGIN_CHECK = """
import importlib.resources, sys
from pathlib import Path

import consolidate, consolidate.cli

venv, checkout = Path(sys.prefix).resolve(), Path(sys.argv[1]).resolve()
used = [Path(m.__file__) for name, m in list(sys.modules.items())
        if name.split(".")[0] == "consolidate" and getattr(m, "__file__", None)]
used += [Path(str(importlib.resources.files("consolidate.specs") / "thang-hanh-dong.yaml")),
         Path(str(importlib.resources.files("consolidate.templates") / "thang-hanh-dong.docx"))]
assert all(p.is_file() for p in used), used
outside = [str(p) for p in used if not p.resolve().is_relative_to(venv)]
assert not outside, f"not from the wheel: {outside}"
assert not [p for p in sys.path if p and Path(p).resolve() == checkout], sys.path
assert not [f for f in sys.meta_path if "__editable__" in getattr(f, "__module__", "")]
print(consolidate.__file__)
"""


def run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None,
        ) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, (
        f"{' '.join(map(str, args))} -> exit {result.returncode}\n"
        f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


def pip(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input",
                *args], cwd=cwd)


def copy_source(target: Path) -> Path:
    def ignore(folder: str, names: list[str]) -> set[str]:
        skip = {n for n in names if n == "__pycache__" or n.endswith(".egg-info")}
        if Path(folder).resolve() == ROOT:
            skip |= TOP_LEVEL_SKIP & set(names)
        return skip

    shutil.copytree(ROOT, target, ignore=ignore)
    return target


def dependency_folders() -> list[str]:
    """Where this interpreter finds the installed dependencies (its site-packages)."""
    folders = site.getsitepackages()
    if site.ENABLE_USER_SITE:
        folders.append(site.getusersitepackages())
    return [f for f in folders if Path(f).is_dir()]


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("wheel")
    src = copy_source(tmp / "src")
    pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", tmp / "dist",
        src, cwd=tmp)
    (wheel,) = (tmp / "dist").glob("consolidate-*.whl")

    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp)
    python = venv / "bin" / "python"
    pip("--python", python, "install", "--no-deps", "--no-index", "-q", wheel, cwd=tmp)
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                  cwd=tmp).stdout.strip()
    # Written after installing, so pip never saw the checkout's editable install.
    Path(purelib, "_test_dependencies.pth").write_text(
        "".join(f"{f}\n" for f in dependency_folders()), encoding="utf-8")

    work = tmp / "run"
    work.mkdir()
    return {"wheel": wheel, "venv": venv, "python": python, "bin": venv / "bin", "work": work}


def venv_environ(venv: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV"}}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    env["VIRTUAL_ENV"] = str(venv)
    return env


def test_wheel_ships_specs_and_templates(wheel_env: dict[str, Path]) -> None:
    names = set(zipfile.ZipFile(wheel_env["wheel"]).namelist())
    for folder, package, suffix in (("forms", "specs", ".yaml"),
                                    ("templates", "templates", ".docx")):
        shipped = {p.name for p in (ROOT / folder).glob(f"*{suffix}")}
        assert shipped, f"no {suffix} files in {folder}/"
        missing = {n for n in shipped if f"consolidate/{package}/{n}" not in names}
        assert not missing, f"not in the wheel: {sorted(missing)}"
    assert "consolidate/__main__.py" in names
    assert not [n for n in names if n.startswith(("forms/", "templates/", "tests/"))]


def test_installed_wheel_runs_outside_checkout(wheel_env: dict[str, Path]) -> None:
    work, python = wheel_env["work"], wheel_env["python"]
    env = venv_environ(wheel_env["venv"])
    cli = wheel_env["bin"] / "consolidate"

    origin = run([python, "-c", ORIGIN_CHECK, ROOT], cwd=work, env=env).stdout.strip()
    assert Path(origin).is_relative_to(wheel_env["venv"])

    assert run([cli, "--help"], cwd=work, env=env).stdout.strip()
    assert run([python, "-m", "consolidate", "--help"], cwd=work, env=env).stdout.strip()

    run([cli, "init", "-w", "WS", "--form", "thang-hanh-dong", "--period", "2024",
         "--unit", "058", "--deadline", "2024-07-03"], cwd=work, env=env)
    run([cli, "forms", "-w", "WS"], cwd=work, env=env)
    run([cli, "report", "-w", "WS"], cwd=work, env=env)

    (forms,) = (work / "WS" / "forms").iterdir()
    # TP Bắc Kạn (058) and its 8 wards and communes.
    assert len(list(forms.glob("*.xlsx"))) == 9
    reports = work / "WS" / "reports" / forms.name
    for suffix in (".xlsx", ".docx"):
        (output,) = reports.glob(f"*{suffix}")
        assert zipfile.is_zipfile(output), output
