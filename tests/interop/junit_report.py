"""Read a conformance kit JUnit report with junitparser (an independent
JUnit reader, as CI systems use) and print what it found as JSON."""

import json
import sys

from junitparser import Error, Failure, JUnitXml, Skipped

xml = JUnitXml.fromfile(sys.argv[1])
cases = []
for suite in xml:
    for case in suite:
        result = "pass"
        message = ""
        for r in case.result:
            if isinstance(r, (Failure, Error)):
                result, message = "failure", r.message or ""
            elif isinstance(r, Skipped):
                result, message = "skipped", r.message or ""
        cases.append({"suite": suite.name, "classname": case.classname, "name": case.name,
                      "time": case.time, "result": result, "message": message})
print(json.dumps({"tests": sum(s.tests for s in xml), "failures": sum(s.failures for s in xml),
                  "skipped": sum(s.skipped for s in xml), "cases": cases}))
