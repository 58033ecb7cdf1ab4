"""Checks a node's OpenAPI document with the official validator, then validates bodies against it.

Usage: openapi_validate.py DOCUMENT.json BODIES.json

BODIES.json maps an operation's path to {"valid": [...], "invalid": [...]} request bodies. Every
example in the document must match its schema too. Prints one line per problem; exit status 1
when there is any.
"""
import json
import sys

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012


def main():
    document = json.load(open(sys.argv[1]))
    bodies = json.load(open(sys.argv[2]))
    validate(document)  # raises on an invalid document

    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry = Registry().with_resource("urn:organic", resource)

    def validator(schema):
        return Draft202012Validator({"$ref": "urn:organic" + schema["$ref"]} if "$ref" in schema else schema, registry=registry)

    problems = []
    checked = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                if "schema" not in body:
                    problems.append(f"{path}: request has no schema")
                    continue
                v = validator(body["schema"])
                if "example" in body:
                    checked += 1
                    for error in v.iter_errors(body["example"]):
                        problems.append(f"{path}: example request: {error.message} at {list(error.absolute_path)}")
                for sample in bodies.get(path, {}).get("valid", []):
                    checked += 1
                    for error in v.iter_errors(sample):
                        problems.append(f"{path}: valid request {json.dumps(sample)[:120]} rejected: {error.message}")
                for sample in bodies.get(path, {}).get("invalid", []):
                    checked += 1
                    if v.is_valid(sample):
                        problems.append(f"{path}: invalid request {json.dumps(sample)[:120]} accepted")
            answer = operation.get("responses", {}).get("200", {}).get("content", {}).get("application/json")
            if answer is not None and "example" in answer and "schema" in answer:
                checked += 1
                for error in validator(answer["schema"]).iter_errors(answer["example"]):
                    problems.append(f"{path}: example answer: {error.message} at {list(error.absolute_path)}")
    for line in problems:
        print(line)
    print(json.dumps({"checked": checked, "problems": len(problems)}))
    sys.exit(1 if problems else 0)


main()
