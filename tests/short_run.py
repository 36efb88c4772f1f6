"""A shortened run of a generated chapter, for the one question tests/test_chapters_run.py asks: does an untouched
chapter raise anywhere ("Run All" with nothing filled in, course spec section 3)?

SHORT_RUN_CELL is put in front of the chapter's first cell. In that kernel

- ``lib.train.fit`` trains at most SHORT_STEPS steps (chapters 01–09 train through it; chapter 10's Keras
  ``model.fit`` runs as written, a few epochs on a small set), and
- an ``assert test, message`` in a notebook cell runs as ``if test: pass``: the condition is still computed
  (and its truth taken, as assert does), so a stub it calls still raises NotImplementedError, but a claim that
  needs a fully trained model does not fail the run, and a cell that ends in an assert still shows nothing
  (IPython's ``ast_transformers``: only the cells' own code is rewritten, never lib's).

``steps`` goes through ``operator.index`` before the cap, so a ``steps`` the learner's run would reject (a float)
is rejected here too. tests/short_run_cases.py holds cases written blind from this contract.

What the full-length training must show is checked elsewhere: nbval executes every solution notebook in full and
compares its outputs, and the seed sweep moves its seeds. The stubbed chapter computes what its solution
computes, up to rounding (a stub's caller falls back to lib's reference, ``mine_or_reference``, which the solution's
answer matches), so running that training a second time here would only repeat nbval's work; spec section 8 puts
`pytest` under 5 minutes.
"""

SHORT_STEPS = 25  # enough for a metric logged every 25 steps (05 logs its test accuracy so) to appear once

SHORT_RUN_CELL = f"""\
def shorten_this_run(limit):
    import ast
    import functools
    import operator

    import lib.train

    class RunAssertConditionsOnly(ast.NodeTransformer):
        \"\"\"assert test, message  ->  if test: pass\"\"\"

        def visit_Assert(self, node):
            if_test = ast.If(test=node.test, body=[ast.Pass()], orelse=[])
            return ast.fix_missing_locations(ast.copy_location(if_test, node))

    get_ipython().ast_transformers.append(RunAssertConditionsOnly())
    full_fit = lib.train.fit

    @functools.wraps(full_fit)
    def short_fit(model, next_batch, loss_fn, steps, *args, **kwargs):
        return full_fit(model, next_batch, loss_fn, min(operator.index(steps), limit), *args, **kwargs)

    lib.train.fit = short_fit


shorten_this_run({SHORT_STEPS})
del shorten_this_run
"""
