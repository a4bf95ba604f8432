"""The matchers users write in their contracts: one import for both families.

``Term``, ``Like``/``SomethingLike``, ``EachLike``, ``Format``, ``from_term`` and
``get_generated_values`` behave as in pact-python 2.3.3: ``generate()`` returns exactly the
``json_class`` JSON that pact-python sent to the Ruby mock service (they live in
:mod:`pact_unittest._matchers_v2`).

The spec-3/4 matchers (``Integer``, ``Date``, ``Include``, ...) live in
:mod:`pact_unittest.matchers_v3`; their wire form is the Pact FFI integration JSON
(``{"pact:matcher:type": ...}``) that pact-js and pact-python 3 send.

This module only gathers the two. It holds no code of its own so that neither family has
to import it: ``matchers_v3`` builds on ``_matchers_v2`` directly, and any of the three
modules can be imported first in a fresh interpreter.
"""
from __future__ import annotations

from ._matchers_v2 import *  # noqa: F401,F403
from ._matchers_v2 import __all__ as _V2_ALL
from .matchers_v3 import *  # noqa: F401,F403
from .matchers_v3 import __all__ as _V3_ALL

__all__ = list(_V2_ALL) + list(_V3_ALL)
