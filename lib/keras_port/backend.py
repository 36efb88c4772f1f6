"""Choose Keras's backend (torch) before keras is first imported.

Keras reads ``KERAS_BACKEND`` once, when ``import keras`` runs for the first time in a Python
process; after that only ``keras.config.set_backend`` changes it, by re-importing the whole keras
package (its docstring warns that objects created before are unusable). So this module sets it
*before* the import, and explains in Korean what to restart when keras was already imported with
another backend.

Nothing outside chapter 10 imports this module (the rest of the course runs without keras).
"""

import importlib.util
import os
import sys

BACKEND = "torch"
KERAS_VERSION = "3.15.1"  # requirements.txt pins this version


class KerasBackendError(RuntimeError):
    """keras is missing, or was imported earlier in this kernel with another backend."""


def keras_available() -> bool:
    """True when keras is installed (checked without importing it)."""
    return importlib.util.find_spec("keras") is not None


def wrong_backend_message(current: str) -> str:
    return (
        f"keras가 이미 '{current}' 백엔드로 import되어 있습니다. 백엔드는 처음 import할 때 정해지므로, "
        "torch 백엔드로 바꾸려면 커널을 다시 시작하는 것이 안전합니다 "
        "(keras.config.set_backend도 있지만 Keras를 통째로 다시 불러오는 방법이라, 그 전에 만든 층과 텐서를 쓸 수 없게 됩니다).\n"
        "커널을 다시 시작하세요 (Jupyter 메뉴 Kernel → Restart Kernel). 그다음 `import keras`보다 "
        "`from lib import keras_port`(또는 `lib.keras_port.select_backend()`)를 먼저 실행하세요. "
        "환경 변수 KERAS_BACKEND를 직접 정했다면 지우거나 torch로 두세요."
    )


MISSING_MESSAGE = (
    f"keras가 설치되어 있지 않습니다. 10장만 keras를 씁니다 (나머지 장은 keras 없이 돌아갑니다). "
    f"설치: pip install keras=={KERAS_VERSION}  (TensorFlow는 필요 없습니다. torch 백엔드로 돕니다.)"
)


def select_backend():
    """Make sure keras runs on the torch backend, import it and return the module.

    - keras not imported yet: set KERAS_BACKEND=torch, then import (an earlier KERAS_BACKEND value
      of this process is overridden, with a printed note).
    - keras already imported with the torch backend: return it.
    - keras already imported with another backend: KerasBackendError with a Korean message saying
      what to restart.
    """
    if "keras" in sys.modules:
        keras = sys.modules["keras"]
        current = keras.backend.backend()
        if current != BACKEND:
            raise KerasBackendError(wrong_backend_message(current))
        return keras
    if not keras_available():
        raise KerasBackendError(MISSING_MESSAGE)
    previous = os.environ.get("KERAS_BACKEND")
    if previous and previous != BACKEND:
        print(f"참고: KERAS_BACKEND={previous} 설정을 이 프로세스에서는 {BACKEND}(으)로 바꿉니다.")
    os.environ["KERAS_BACKEND"] = BACKEND
    import keras  # noqa: PLC0415 - the backend must be chosen first

    if keras.backend.backend() != BACKEND:  # e.g. a keras.json the environment variable did not override
        raise KerasBackendError(wrong_backend_message(keras.backend.backend()))
    return keras
