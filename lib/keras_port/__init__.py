"""Chapter 10: the notes' TensorFlow/Keras code run as Keras 3 on the torch backend.

Importing this package chooses the backend first (``KERAS_BACKEND=torch``) and then imports keras;
if keras was already imported with another backend, it stops with a Korean message saying what to
restart (see ``backend.py``). Nothing outside chapter 10 imports this package, so the rest of the
course runs on machines where keras is not installed.

- ``tutorial``: the TF tutorial's model, losses and schedule; only ``tf.*`` → ``keras.ops.*`` changed.
- ``fixed``: the same model with explicit padding masks (``Masked*``).
- ``weights``: copy lib's Transformer into either, so both give the same logits.
"""

from lib.keras_port.backend import KerasBackendError, keras_available, select_backend

keras = select_backend()

from lib.keras_port.tutorial import (  # noqa: E402
    CHANGES,
    BaseAttention,
    CausalSelfAttention,
    CrossAttention,
    CustomSchedule,
    Decoder,
    DecoderLayer,
    Encoder,
    EncoderLayer,
    FeedForward,
    GlobalSelfAttention,
    PositionalEmbedding,
    Transformer,
    masked_accuracy,
    masked_loss,
    positional_encoding,
)
from lib.keras_port.fixed import (  # noqa: E402
    MaskedCausalSelfAttention,
    MaskedCrossAttention,
    MaskedDecoder,
    MaskedDecoderLayer,
    MaskedEncoder,
    MaskedEncoderLayer,
    MaskedGlobalSelfAttention,
    MaskedTransformer,
    UnmaskedPositionalEmbedding,
)
from lib.keras_port.weights import (  # noqa: E402
    build,
    copy_weights_from_lib,
    from_lib,
    lib_config,
    model_axis_permutation,
)
