"""The prompt author's workbench: see, lint, evaluate and compare the Jinja2 templates.

The people who tune drafter's prompts need to see exactly what the model sees, catch template
mistakes before a paid run, and know with numbers whether a change made replies better or
worse. The CLI (``drafter prompts …``, ``drafter eval …``) is a thin layer over the modules
here:

- :mod:`.catalog`: which templates exist, where each comes from, which variables it uses;
- :mod:`.contexts`: the variables each template is given, and the exact messages it renders
  (learned from the engines themselves, never re-implemented);
- :mod:`.lint`: syntax, undefined/unused variables, missing templates, broken JSON schemas;
- :mod:`.suite`, :mod:`.assertions`: eval suites (TOML or YAML) and what each assertion checks;
- :mod:`.runner`, :mod:`.evaluate`: a suite against one or two template sets, with repeats;
- :mod:`.cache`, :mod:`.rubric`: the counted, per-sample response cache; LLM-graded rubrics;
- :mod:`.compare`, :mod:`.report`, :mod:`.junit`: A/B verdicts, terminal/JSON/HTML, JUnit XML.

Nothing is imported here so that ``drafter --help`` stays fast.
"""
