"""The deploy script (DEPLOY_COMMAND: python3 deploy/deploy.py --home=<dir> --pids=<dir>), run
by the suite with <version> <artifact dir> appended and ROLLGATE_ADDRESS in its environment.

It meets the contract in the suite's README: copies the release out of the temporary artifact
folder into <home>/<port>/<version>, stops what it started earlier on that address (its pid in
<pids>/<port>.pid), starts the new version there detached, and exits 0 only once it answers
with that version.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

version, artifact = sys.argv[-2], Path(sys.argv[-1])
home = Path(next(a[7:] for a in sys.argv if a.startswith("--home=")))
pids = Path(next(a[7:] for a in sys.argv if a.startswith("--pids=")))
address = os.environ["ROLLGATE_ADDRESS"]
port = address.rsplit(":", 1)[1]

# The artifact keeps the build's paths: the service is under dist/ (build.py's output).
place = home / port / version
shutil.rmtree(place, ignore_errors=True)
shutil.copytree(artifact / "dist", place)

pids.mkdir(parents=True, exist_ok=True)
pid_file = pids / f"{port}.pid"
if pid_file.exists():
    try:
        os.kill(int(pid_file.read_text()), signal.SIGTERM)
    except ProcessLookupError:
        pass
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://{address}/healthz", timeout=0.2)
        except OSError:
            break
        time.sleep(0.05)

child = subprocess.Popen(
    [sys.executable, "-m", "app.server"],
    cwd=place,
    env={**os.environ, "VERSION": version, "PORT": port},
    stdin=subprocess.DEVNULL,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
    start_new_session=True,
)
pid_file.write_text(str(child.pid))
for _ in range(100):
    try:
        with urllib.request.urlopen(f"http://{address}/healthz", timeout=0.5) as res:
            if json.load(res).get("version") == version:
                print(f"deployed {version} on {address}")
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.1)
sys.exit(f"{version} did not start on {address}")
