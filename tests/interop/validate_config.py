"""Validate a TOML config against a JSON Schema with an independent
validator (python-jsonschema), as an editor or a CI job would.

Usage: validate_config.py SCHEMA.json CONFIG.toml
Prints {"valid": bool, "errors": [{"path": ..., "message": ...}]}.
"""
import json
import sys
import tomllib

import jsonschema


def main() -> None:
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    with open(sys.argv[2], "rb") as f:
        config = tomllib.load(f)
    validator = jsonschema.Draft202012Validator(schema)
    errors = [
        {"path": "/".join(str(p) for p in e.absolute_path), "message": e.message}
        for e in validator.iter_errors(config)
    ]
    print(json.dumps({"valid": not errors, "errors": errors}))


if __name__ == "__main__":
    main()
