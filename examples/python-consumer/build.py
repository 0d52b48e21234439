"""The build: the service into dist/ (what deliver.yml ships as the artifact)."""
import shutil
from pathlib import Path

dist = Path("dist")
shutil.rmtree(dist, ignore_errors=True)
shutil.copytree("app", dist / "app", ignore=shutil.ignore_patterns("__pycache__"))
