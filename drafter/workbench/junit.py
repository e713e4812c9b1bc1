"""JUnit XML for CI: one ``testcase`` per case × assertion, so a CI page lists each red check.

Written with :mod:`xml.etree.ElementTree`, which escapes text and attributes properly (a
customer's email may hold anything). Each template set is a ``testsuite``; failures carry the
assertion's messages, skips say why (a rubric without an LLM engine).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drafter.workbench.evaluate import EvalRun
    from drafter.workbench.runner import SetRun


def to_junit(run: EvalRun) -> str:
    root = ET.Element("testsuites", name=f"drafter eval: {run.suite.name}")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for set_run in run.sets:
        suite = _testsuite(root, run, set_run)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{sum(s.seconds for s in run.sets):.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _testsuite(root: ET.Element, run: EvalRun, set_run: SetRun) -> ET.Element:
    name = run.suite.name if len(run.sets) == 1 else f"{run.suite.name} [{set_run.label}]"
    suite = ET.SubElement(root, "testsuite", name=name, time=f"{set_run.seconds:.3f}")
    props = ET.SubElement(suite, "properties")
    for key, value in (("prompts", set_run.prompts), ("engine", set_run.engine),
                       ("model", set_run.model or ""), ("repeat", str(run.settings.repeat))):
        ET.SubElement(props, "property", name=key, value=value)
    tests = failures = skipped = 0
    for case_run in set_run.cases:
        seconds = sum(s.seconds for s in case_run.samples) / max(1, len(case_run.case.assertions))
        for stat in case_run.stats:
            tests += 1
            case = ET.SubElement(suite, "testcase", classname=case_run.case.name,
                                 name=stat.assertion.label, time=f"{seconds:.3f}")
            rate = "" if stat.pass_rate is None else f" (passed {stat.passed}/{stat.runs})"
            if stat.status == "fail":
                failures += 1
                message = "; ".join(stat.messages) or "failed"
                failure = ET.SubElement(case, "failure", message=message + rate,
                                        type=stat.assertion.kind)
                failure.text = "\n".join(stat.messages)
            elif stat.status == "skip":
                skipped += 1
                ET.SubElement(case, "skipped", message="; ".join(stat.messages) or "skipped")
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skipped))
    return suite


def write_junit(run: EvalRun, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_junit(run), encoding="utf-8")
