"""Cases for the short-run cell, written blind from its contract (without reading tests/short_run.py)."""

# Each case is one notebook cell, run in order in ONE kernel after SHORT_RUN_CELL, so later cells use names
# that earlier cells define. expect_error: the exception class name the cell must end with (None: none);
# expect_printed: the exact whitespace-split words the cell prints to stdout (None: not checked).
#
# The contract being tested:
# - lib.train.fit trains at most SHORT_STEPS steps however ``steps`` is passed; fewer run as asked;
#   everything else fit returns or does is unchanged.
# - ``assert test, message`` in a cell's own code runs only its condition ``test``: the condition is
#   still evaluated (its exceptions and side effects stay), a false condition does not raise; asserts in
#   imported modules still raise; nothing else about the cell changes.

import inspect

try:
    from short_run import SHORT_STEPS
except ImportError:  # imported as tests.short_run_cases
    from tests.short_run import SHORT_STEPS

from lib.train import fit as _fit

S = SHORT_STEPS
OVER = 1000 + 10 * S  # far more steps than the limit, still fast on a 2-parameter model if the cap fails
FEW = max(S // 2, 1)
FIT_PARAMETERS = list(inspect.signature(_fit).parameters)


def case(name, source, expect_error=None, expect_printed=None):
    return {"name": name, "source": source.strip("\n"), "expect_error": expect_error,
            "expect_printed": expect_printed}


CASES = [
    # ---------------------------------------------------------------- fit: the step cap
    case("setup_tiny_training", """
import numpy as np
import torch
import lib.train

torch.manual_seed(0)
model = torch.nn.Linear(2, 1)
batch_calls = []

def next_batch(step):
    batch_calls.append(step)
    return torch.ones(4, 2), torch.zeros(4, 1)

def loss_fn(m, batch):
    x, y = batch
    return ((m(x) - y) ** 2).mean()

print("ready")
""", expect_printed=["ready"]),

    case("fit_positional_steps_over_limit_is_capped", f"""
batch_calls.clear()
history = lib.train.fit(model, next_batch, loss_fn, {OVER}, progress=False)
print(len(history.loss), len(batch_calls), batch_calls[0], batch_calls[-1], model.training)
""", expect_printed=[str(S), str(S), "0", str(S - 1), "False"]),

    case("fit_keyword_steps_over_limit_is_capped", f"""
seen = []
history = lib.train.fit(model, next_batch, loss_fn, steps={OVER}, progress=False,
                        on_step=lambda step, h: seen.append((step, len(h.loss))))
print(len(history.loss), len(seen), seen[0][0], seen[-1][0], seen[-1][1])
""", expect_printed=[str(S), str(S), "0", str(S - 1), str(S)]),

    case("fit_fewer_steps_and_zero_steps_run_as_asked", f"""
a = lib.train.fit(model, next_batch, loss_fn, {S - 1}, progress=False)
b = lib.train.fit(model, next_batch, loss_fn, steps={S - 1}, progress=False)  # the cap is per call
c = lib.train.fit(model, next_batch, loss_fn, {FEW}, progress=False)
z = lib.train.fit(model, next_batch, loss_fn, steps=0, progress=False)
print(len(a.loss), len(b.loss), len(c.loss), len(z.loss), type(z).__name__, z.loss, model.training)
""", expect_printed=[str(S - 1), str(S - 1), str(FEW), "0", "History", "[]", "False"]),

    case("fit_steps_equal_to_limit_and_limit_plus_one", f"""
at_limit = lib.train.fit(model, next_batch, loss_fn, {S}, progress=False)
one_more = lib.train.fit(model, next_batch, loss_fn, steps={S + 1}, progress=False)
print(len(at_limit.loss), len(one_more.loss))
""", expect_printed=[str(S), str(S)]),

    case("fit_other_arguments_pass_through", f"""
def same_weights(before):
    return all(torch.equal(p, q) for p, q in zip(before, model.parameters()))

before = [p.detach().clone() for p in model.parameters()]
h1 = lib.train.fit(model, next_batch, loss_fn, {OVER}, 0.0, None, progress=False)  # lr=0.0, clip=None by position
same1 = same_weights(before)
frozen = torch.optim.SGD(model.parameters(), lr=0.0)
options = dict(steps=np.int64({OVER}), optimizer=frozen, desc="blind", progress=False)
h2 = lib.train.fit(model, next_batch, loss_fn, **options)
print(len(h1.loss), same1, len(h2.loss), same_weights(before), h2.seconds >= 0)
""", expect_printed=[str(S), "True", str(S), "True", "True"]),

    case("fit_through_module_alias", f"""
import inspect
import lib.train as T
history = T.fit(model, next_batch, loss_fn, {OVER}, progress=False)
print(len(history.loss), T.fit is lib.train.fit, *inspect.signature(T.fit).parameters)
""", expect_printed=[str(S), "True", *FIT_PARAMETERS]),

    case("fit_imported_by_name_in_a_later_cell", f"""
from lib.train import fit
from lib.train import fit as train_fit
h1 = fit(model, next_batch, loss_fn, steps={OVER}, progress=False)
h2 = train_fit(model, next_batch, loss_fn, {OVER}, progress=False)
print(len(h1.loss), len(h2.loss))
""", expect_printed=[str(S), str(S)]),

    case("fit_stub_in_loss_still_raises", f"""
def loss_stub(m, batch):
    raise NotImplementedError("exercise: write the loss")

fit(model, next_batch, loss_stub, {OVER}, progress=False)
print("not reached")
""", expect_error="NotImplementedError", expect_printed=[]),

    case("fit_nan_loss_still_raises", f"""
spoilt = torch.nn.Linear(2, 1)  # its weights become NaN; the shared model stays usable for later cases
fit(spoilt, next_batch, lambda m, b: loss_fn(m, b) * float("nan"), steps={OVER}, progress=False)
print("not reached")
""", expect_error="FloatingPointError", expect_printed=[]),

    # The real fit does range(steps): a float raises TypeError, and a chapter that passed one would fail for
    # the learner. A cap like min(steps, limit) would turn it into a valid int and hide that failure.
    case("fit_float_steps_still_raise_type_error", f"""
fit(model, next_batch, loss_fn, {float(OVER)}, progress=False)
print("not reached")
""", expect_error="TypeError", expect_printed=[]),

    # ---------------------------------------------------------------- assert: condition kept, no AssertionError
    case("assert_false_does_not_raise", """
assert 1 == 2, "never equal"
assert False
assert (False, "a tuple is always true")
print("after")
""", expect_printed=["after"]),

    case("assert_message_is_not_evaluated", """
assert False, print("message-evaluated")
print("after")
""", expect_printed=["after"]),

    case("assert_condition_calling_stub_still_raises", """
def exercise_stub(x):
    raise NotImplementedError("exercise: fill me in")

assert exercise_stub(3) == 9, "the exercise is wrong"
print("not reached")
""", expect_error="NotImplementedError", expect_printed=[]),

    case("assert_condition_other_exception_still_raises", """
assert 1 / 0 > 0, "division"
print("not reached")
""", expect_error="ZeroDivisionError", expect_printed=[]),

    case("assert_condition_side_effects_happen", """
calls = []
assert calls.append("called") or False, "side effect"
assert (bound := 5) < 0, "walrus"
print(len(calls), bound)
""", expect_printed=["1", "5"]),

    case("assert_inside_defs_loops_classes_and_try", """
def positive(x):
    assert x > 0, "positive only"
    return x * 2

count = 0
for i in range(3):
    assert i > 10
    count += 1

class Config:
    assert False, "class body"
    size = 4

    def check(self):
        assert self.size < 0, "method"
        return "method-ok"

def gen():
    for i in range(2):
        assert i < 0
        yield i

try:
    if count == 3:
        assert False, "nested in if inside try"
    status = "no-raise"
except AssertionError:
    status = "raised"

twice = lambda v: positive(v) + 1
print(positive(-1), count, Config.size, Config().check(), list(gen()), status, twice(-3))
""", expect_printed=["-2", "3", "4", "method-ok", "[0,", "1]", "no-raise", "-5"]),

    case("assert_in_functions_from_an_earlier_cell_and_nested_blocks", """
import contextlib

with contextlib.nullcontext():
    assert False, "in with"

def outer():
    def inner():
        assert False
        return "inner-ok"
    return inner()

async def later():
    assert False, "async"
    return "async-ok"

print(positive(-10), Config().check(), outer(), await later())
""", expect_printed=["-20", "method-ok", "inner-ok", "async-ok"]),

    case("assert_in_imported_module_still_raises", """
import importlib, pathlib, sys, tempfile

folder = tempfile.mkdtemp()
pathlib.Path(folder, "blind_short_run_helper.py").write_text(
    "def check(x):\\n    assert x > 0, 'module assert'\\n    return x\\n")
sys.path.insert(0, folder)
importlib.invalidate_caches()
import blind_short_run_helper
print(blind_short_run_helper.check(1))
blind_short_run_helper.check(-1)
print("not reached")
""", expect_error="AssertionError", expect_printed=["1"]),

    # ---------------------------------------------------------------- things that must not change
    case("explicit_assertion_error_still_raises", """
raise AssertionError("raised explicitly, not an assert statement")
""", expect_error="AssertionError", expect_printed=[]),

    case("normal_exception_still_raises", """
print("before")
{}["missing"]
print("not reached")
""", expect_error="KeyError", expect_printed=["before"]),

    case("print_output_and_assert_text_untouched", """
text = "assert False, 'not code'"
assert_count = 2  # assert False
print(text, assert_count, "안녕하세요", 3.5)
""", expect_printed=["assert", "False,", "'not", "code'", "2", "안녕하세요", "3.5"]),

    case("magics_still_work", """
%%capture captured
where = %pwd
print("inside capture", type(where).__name__)
assert False, "inside a cell magic"
""", expect_printed=[]),

    case("last_expression_value_is_kept", """
print(captured.stdout.split())
6 * 7
""", expect_printed=["['inside',", "'capture',", "'str']"]),

    # A cell ending in an assert displays nothing, so the last displayed value (_) stays 42.
    case("cell_ending_in_assert_displays_nothing", """
print(_)
assert 0 == 1, "last statement"
""", expect_printed=["42"]),

    case("last_value_unchanged_after_assert_cell", """
print(_, Out.get(len(Out) and max(Out)))
""", expect_printed=["42", "42"]),
]
