"""Postprocessing of the OpenAPI document (``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``,
after drf-spectacular's own enum hook), so that client generators get the same names whatever
the language the document is fetched in.

- An enum in a query or path parameter becomes a component: the one with the same values
  when there is one (``?state=`` of ``actions/`` is ``ActionStateEnum``), otherwise one named
  after the parameter. Inline, a generator names it after its ``title``, which is the
  translated label of the filter (``ActionsListÉtat`` in French, ``ActionsListState`` in
  English).
- No ``title`` is left on a parameter; the French label stays in its ``description``.
- A body's serializer named ``…RequestSerializer`` gives ``…Request``, not ``…RequestRequest``
  (COMPONENT_SPLIT_REQUEST adds the suffix to request bodies); components no operation uses
  (the request half of a serializer only ever nested read-only) are left out.
- An operation that takes no credentials says so with ``security: []`` (drf-spectacular's
  ``[{}]`` makes generators ask for an authenticated client).
- Every tag an operation uses is declared at the top of the document.

Applies to every operation, so endpoints added later are covered without a change here.
"""

import re

PARAMETER_ENUM_NAMES = {
    # (operation id, parameter) or parameter -> component, for values no component has
    "fmt": "ExportFormatEnum",
    ("actions_history_list", "state"): "HistoryStateEnum",
    ("actions_history_list", "subject"): "HistorySubjectEnum",
    ("actions_transitions_list", "name"): "StaffTransitionEnum",
}
TAG_DESCRIPTIONS = {
    "auth": "Jeton d'accès (Authorization: Token …)",
}


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", name) if part)


def _enum_key(values) -> tuple:
    return tuple(sorted(str(value) for value in values if value not in ("", None)))


def _enum_component(operation_id, parameter, schema, components, by_values) -> dict:
    """``$ref`` to the component enum of these values (an existing one, or a new one)."""
    key = _enum_key(schema["enum"])
    name = by_values.get(key)
    if name is None:
        name = PARAMETER_ENUM_NAMES.get(
            (operation_id, parameter["name"]),
            PARAMETER_ENUM_NAMES.get(parameter["name"], f"{_camel(parameter['name'])}Enum"),
        )
        while name in components and _enum_key(components[name].get("enum", [])) != key:
            name = f"{name[: -len('Enum')]}ParameterEnum" if name.endswith("Enum") else name + "_"
        component = {k: v for k, v in schema.items() if k not in ("title", "description")}
        components.setdefault(name, component)
        by_values[key] = name
    return {"$ref": f"#/components/schemas/{name}"}


def _parameters(document: dict):
    for operation in _operations(document):
        for parameter in operation.get("parameters", []):
            yield operation.get("operationId"), parameter


def _operations(document: dict):
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                yield operation


def _refs(node):
    """Every ``$ref`` under ``node``."""
    stack = [node]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if isinstance(value.get("$ref"), str):
                yield value["$ref"]
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _rename_refs(node, renames: dict) -> None:
    stack = [node]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if value.get("$ref") in renames:
                value["$ref"] = renames[value["$ref"]]
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _used_components(result: dict, components: dict) -> set:
    prefix = "#/components/schemas/"
    used, pending = set(), [result.get("paths", {}), result.get("webhooks", {})]
    while pending:
        for ref in _refs(pending.pop()):
            name = ref.removeprefix(prefix)
            if ref.startswith(prefix) and name not in used and name in components:
                used.add(name)
                pending.append(components[name])
    return used


def _tidy_components(result: dict, components: dict) -> dict:
    used = _used_components(result, components)
    kept = {name: schema for name, schema in components.items() if name in used}
    renames = {}
    for name in sorted(kept):
        shorter = name.removesuffix("Request")
        if name.endswith("RequestRequest") and shorter not in kept:
            renames[name] = shorter
    for old, new in renames.items():
        kept[new] = kept.pop(old)
    prefix = "#/components/schemas/"
    _rename_refs(result, {prefix + old: prefix + new for old, new in renames.items()})
    return dict(sorted(kept.items()))


def stable_names(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    by_values = {
        _enum_key(schema["enum"]): name
        for name, schema in sorted(components.items())
        if "enum" in schema and schema.get("type") == "string"
    }
    for operation_id, parameter in _parameters(result):
        schema = parameter.get("schema", {})
        if parameter.get("title"):
            parameter.pop("title")
        schema.pop("title", None)
        target = schema.get("items", schema)
        target.pop("title", None)
        if "enum" in target:
            replacement = _enum_component(operation_id, parameter, target, components, by_values)
            if target is schema:
                parameter["schema"] = replacement
            else:
                schema["items"] = replacement
    for operation in _operations(result):
        if operation.get("security") == [{}]:
            operation["security"] = []
    used = sorted({tag for operation in _operations(result) for tag in operation.get("tags", [])})
    declared = {tag["name"]: tag for tag in result.get("tags", [])}
    result["tags"] = [
        declared.get(tag)
        or {"name": tag, "description": TAG_DESCRIPTIONS.get(tag, tag.replace("-", " "))}
        for tag in used
    ]
    result["components"]["schemas"] = _tidy_components(result, components)
    return result
