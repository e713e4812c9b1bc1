"""Understanding free text: one sentence splitter and small learned models beside the rules.

Every judgment drafter makes about what a customer wrote (is this sentence a threat, a
crisis signal, a legal threat?) comes from a model trained on the team's own corpus
(``corpus/``), with the rule packs beside it for precision, exact spans and a team's own
phrases. The models are linear over hashed word and character n-grams: tiny, CPU-only,
any language, shipped inside the wheel (``models/``) and loaded lazily on first use.
``bench/train_escalation.py`` rebuilds them, seeded, from the corpus.
"""
