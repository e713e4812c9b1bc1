"""drafter: reply to angry customers the MAMA way, and catch the seven classic mistakes first.

The library API lives in :mod:`drafter.pipeline` (``draft_email``), :mod:`drafter.mail`
(``read_email``), :mod:`drafter.checker` (``check_reply``) and :mod:`drafter.policy`
(``load_policy``). This module stays import-light so ``drafter --help`` starts fast.
"""

__version__ = "0.1.0"
