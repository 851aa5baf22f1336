"""Validate an OpenAPI document with openapi-spec-validator (independent of
the hub's own generator).

Usage: validate_openapi.py DOC.json
Prints {"valid": bool, "error": str|null, "version": "3.1.0"}.
"""
import json
import sys

from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError


def main() -> None:
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    try:
        validate(doc)
        out = {"valid": True, "error": None}
    except OpenAPIValidationError as e:
        out = {"valid": False, "error": str(e)}
    out["version"] = doc.get("openapi")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
