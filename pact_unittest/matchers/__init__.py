"""The matchers users write in their contracts: one import for both families.

``Term``, ``Like``/``SomethingLike``, ``EachLike``, ``Format``, ``from_term`` and
``get_generated_values`` behave as in pact-python 2.3.3: ``generate()`` returns exactly the
``json_class`` JSON that pact-python sent to the Ruby mock service (they live in
:mod:`pact_unittest.matchers.v2`).

The spec-3/4 matchers (``Integer``, ``Date``, ``Include``, ...) live in
:mod:`pact_unittest.matchers.v3`; their wire form is the Pact FFI integration JSON
(``{"pact:matcher:type": ...}``) that pact-js and pact-python 3 send.

The generators (:mod:`pact_unittest.matchers.generators`) make the fresh values a v3/v4
contract asks for. This module only gathers the two families (it is pact-python v2's
``pact.matchers`` path); ``v3`` builds on ``v2`` directly.
"""
from __future__ import annotations

from .v2 import *  # noqa: F401,F403
from .v2 import __all__ as _V2_ALL
from .v3 import *  # noqa: F401,F403
from .v3 import __all__ as _V3_ALL

__all__ = list(_V2_ALL) + list(_V3_ALL)
