"""Import Gymnasium from a source tree, for parity fixtures and speed baselines.

Set GYMNASIUM_SRC to the root of a Gymnasium source tree (the folder that holds the `gymnasium`
package); it is imported from there, not from site-packages. Only numpy must be installed:
Gymnasium's other install requirements (cloudpickle, typing_extensions, farama_notifications)
serve parts the classic-control envs never reach, so any that is missing is replaced by a stub
module in sys.modules before the import. The MuJoCo envs also need the `mujoco` package; their
renderer (imageio, OpenGL) is replaced by a stub with `import_gymnasium(mujoco=True)`.
"""
import os
import subprocess
import sys
import types
import typing


def _stub_missing_modules():
    for name in ("cloudpickle", "typing_extensions", "farama_notifications"):
        try:
            __import__(name)
        except ImportError:
            stub = types.ModuleType(name)
            if name == "farama_notifications":
                stub.notifications = {}
            if name == "typing_extensions":
                stub.__getattr__ = lambda attr: getattr(typing, attr)
            sys.modules[name] = stub


def gymnasium_src():
    src = os.environ.get("GYMNASIUM_SRC")
    if not src:
        sys.exit("set GYMNASIUM_SRC to a Gymnasium source tree")
    return src


def _stub_mujoco_rendering():
    """Stand in for the MuJoCo renderer, whose imports (imageio, packaging, OpenGL) fixtures never use."""
    name = "gymnasium.envs.mujoco.mujoco_rendering"
    if name in sys.modules:
        return
    module = types.ModuleType(name)

    class MujocoRenderer:
        def __init__(self, *args, **kwargs):
            pass

        def close(self):
            pass

    module.MujocoRenderer = MujocoRenderer
    sys.modules[name] = module


def import_gymnasium(mujoco=False):
    """Gymnasium, imported from GYMNASIUM_SRC; with mujoco=True its MuJoCo envs work without a renderer."""
    sys.path.insert(0, gymnasium_src())
    _stub_missing_modules()
    if mujoco:
        _stub_mujoco_rendering()
    import gymnasium

    return gymnasium


def gymnasium_commit():
    """The commit of GYMNASIUM_SRC: read with git when it is a work tree, else GYMNASIUM_COMMIT."""
    try:
        out = subprocess.run(["git", "-C", gymnasium_src(), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return os.environ.get("GYMNASIUM_COMMIT", "unknown")
