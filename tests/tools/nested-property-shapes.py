#!/usr/bin/python3
"""Writes lib/Workshop/Stack/NestedPropertyShapes.json from the CloudFormation resource specification installed in
tests/tools (@aws-cdk/aws-service-spec's db.json.gz): for each resource type the local deployer builds, the type of each
of its properties, and the property names of every nested property type those reach. The local deployer checks a
template's nested keys against it, as CloudFormation does. Run it again after updating the specification:

    /usr/bin/python3 tests/tools/nested-property-shapes.py
"""
import gzip
import json
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC = os.path.join(ROOT, "tests", "tools", "node_modules", "@aws-cdk", "aws-service-spec", "db.json.gz")
TYPES_SOURCE = os.path.join(ROOT, "lib", "Workshop", "Stack", "ResourceTypes.cs")
OUTPUT = os.path.join(ROOT, "lib", "Workshop", "Stack", "NestedPropertyShapes.json")

schema = json.load(gzip.open(SPEC))["schema"]
resources = {e["cloudFormationType"]: e for e in schema["resource"]["entities"]}
definitions = {e["$id"]: e for e in schema["typeDefinition"]["entities"]}
supported = re.findall(r'\["(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)"\] = new\(', open(TYPES_SOURCE).read())

names = {}
shapes = {}


def expression(resource, type_):
    """A property's type in short: "" for a value whose keys are not checked, "[T]" a list, "{T}" a map, a type's name."""
    kind = type_["type"]
    if kind == "array":
        inner = expression(resource, type_["element"])
        return "[" + inner + "]" if inner else ""
    if kind == "map":
        inner = expression(resource, type_["element"])
        return "{" + inner + "}" if inner else ""
    if kind == "tag":
        return "Tag"
    if kind == "ref":
        return nested(resource, type_["reference"]["$ref"])
    return ""


def nested(resource, id_):
    if id_ in names:
        return names[id_]
    definition = definitions[id_]
    name = resource + "." + definition["name"]
    if name in shapes:
        name += "#" + id_
    names[id_] = name
    shapes[name] = None
    properties = definition.get("properties", {})
    shapes[name] = {
        "properties": {key: expression(resource, value["type"]) for key, value in sorted(properties.items())},
        "required": sorted(key for key, value in properties.items() if value.get("required")),
    }
    return name


output = {"resources": {}, "types": shapes}
for resource in supported:
    properties = resources[resource]["properties"]
    typed = {key: expression(resource, value["type"]) for key, value in sorted(properties.items())}
    output["resources"][resource] = {key: value for key, value in typed.items() if value}
output["types"] = {key: shapes[key] for key in sorted(shapes)}
output["types"]["Tag"] = {"properties": {"Key": "", "Value": ""}, "required": ["Key", "Value"]}
with open(OUTPUT, "w") as file:
    json.dump(output, file, indent=1, sort_keys=False)
    file.write("\n")
print(f"{OUTPUT}: {len(output['resources'])} resource types, {len(output['types'])} nested property types")
