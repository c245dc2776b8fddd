#!/usr/bin/python3
"""openapi-check.py - the API's answers against schemas/openapi.json.

  openapi-check.py [--schemas DIR] LOG...
      Each line of each LOG is one answer of `qvault serve`, as
      tests/cli/lib.sh's `api` logs it, tab-separated:
          METHOD  PATH[?QUERY]  STATUS  CONTENT-TYPE (- for none)  BODY-FILE
      Each must be an operation of the document (its path template and
      method; an unrouted request only as x-qvault-unrouted says), a status
      documented for it, the content type documented for that status, and
      a JSON body valid against the documented schema.

  openapi-check.py [--schemas DIR] --document ROUTES.c
      The document itself: it parses, every schema in it and in DIR is a
      valid Draft 2020-12 schema, every $ref resolves, every error is the
      shared Error schema (or an object with its "error" and more), and its operations are the rows of
      serve_routes[] in ROUTES.c, in their order, with the same bodies.

One line per problem on stderr, a one-line summary on stdout; exit 0, 1
for any problem, 2 for a usage error.  Needs Debian's python3-jsonschema
(run it with /usr/bin/python3).
"""
import json
import os
import pathlib
import re
import sys
import warnings

try:
    import jsonschema
    from jsonschema import Draft202012Validator
except ImportError:
    sys.exit("openapi-check: needs jsonschema with Draft 2020-12 "
             "(Debian's python3-jsonschema, under /usr/bin/python3)")

warnings.filterwarnings("ignore", category=DeprecationWarning)

DIALECT = "https://json-schema.org/draft/2020-12/schema"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# what a route's body bits (cli/serve.h) take
BODY_TYPES = {
    "SERVE_BODY_FILE": "application/octet-stream",
    "SERVE_BODY_JSON": "application/json",
    "SERVE_BODY_X12": "application/edi-x12",
}

problems = []


def problem(line):
    problems.append(line)
    print(line, file=sys.stderr)


def unresolved(ref, where, error, told=set()):
    """A $ref that does not resolve, told once."""
    if ref not in told:
        told.add(ref)
        problem("%s: $ref %s does not resolve: %s" % (where, ref, str(error).splitlines()[0][:160]))


class Schemas:
    """openapi.json and the JSON Schemas beside it, by file URI and by $id."""

    def __init__(self, folder):
        self.folder = pathlib.Path(folder).resolve()
        self.files = {}      # name -> (base URI, document)
        self.store = {}
        for path in sorted(self.folder.glob("*.json")):
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
            base = path.as_uri()
            self.store[base] = doc
            if isinstance(doc, dict) and isinstance(doc.get("$id"), str):
                self.store[doc["$id"]] = doc
                base = doc["$id"]
            self.files[path.name] = (base, doc)
        if "openapi.json" not in self.files:
            raise SystemExit("openapi-check: no openapi.json in %s" % self.folder)
        self.base, self.api = self.files["openapi.json"]

    def resolver(self, base=None):
        return jsonschema.RefResolver(base or self.base, self.store.get(base or self.base),
                                      store=self.store)

    def deref(self, obj):
        """`obj`, or what its $ref names (OpenAPI's objects other than schemas)."""
        seen = 0
        while isinstance(obj, dict) and "$ref" in obj and seen < 16:
            try:
                obj = self.resolver().resolve(obj["$ref"])[1]
            except jsonschema.exceptions.RefResolutionError as e:
                unresolved(obj["$ref"], "openapi.json", e)
                return {}
            seen += 1
        return obj

    def validator(self, schema):
        return Draft202012Validator(schema, resolver=self.resolver())


# ---- answers -----------------------------------------------------------------

def split_path(path):
    return path.split("?", 1)[0].split("/")


def find_path(api, path):
    """The path template of `path` (the most literal one that fits), or None."""
    parts = split_path(path)
    best, best_literal = None, -1
    for template in api.get("paths", {}):
        shape = template.split("/")
        if len(shape) != len(parts):
            continue
        literal = 0
        for s, p in zip(shape, parts):
            if s.startswith("{") and s.endswith("}"):
                if not p:
                    break
            elif s != p:
                break
            else:
                literal += 1
        else:
            if literal > best_literal:
                best, best_literal = template, literal
    return best


def media_matches(documented, got):
    if documented == "*/*":
        return True
    if documented.endswith("/*"):
        return got.split("/", 1)[0] == documented[:-2]
    return documented == got


def is_json(media):
    return media == "application/json" or media.endswith("+json")


def check_answer(s, where, method, path, status, ctype, body_file):
    api = s.api
    template = find_path(api, path)
    item = s.deref(api["paths"][template]) if template else None
    op = item.get(method.lower()) if item else None
    if op is not None:
        responses, name = op.get("responses", {}), "%s %s" % (method, template)
    else:
        unrouted = api.get("x-qvault-unrouted", {}).get("responses", {})
        if status not in unrouted:
            problem("%s: %s %s: %s" % (where, method, path,
                    "no such path in openapi.json" if item is None else
                    "openapi.json has no %s for %s" % (method, template)) +
                    " (and %s is no answer to an unrouted request)" % status)
            return
        responses, name = unrouted, "unrouted %s %s" % (method, path)
    response = responses.get(status) or responses.get(status[0] + "XX") or responses.get("default")
    if response is None:
        problem("%s: %s %s: status %s is not documented for %s (documented: %s)"
                % (where, method, path, status, name, ", ".join(sorted(responses))))
        return
    response = s.deref(response)
    content = response.get("content", {})
    try:
        with open(body_file, "rb") as f:
            body = f.read()
    except OSError as e:
        problem("%s: %s %s: cannot read the body: %s" % (where, method, path, e))
        return
    media = "" if ctype == "-" else ctype.split(";", 1)[0].strip().lower()
    if not content:
        if body or media:
            problem("%s: %s %s %s: documented with no body, but %d bytes of %s came"
                    % (where, method, path, status, len(body), media or "no type"))
        return
    documented = [m for m in content if media and media_matches(m.lower(), media)]
    if not documented:
        problem("%s: %s %s %s: Content-Type %s, documented: %s"
                % (where, method, path, status, media or "none", ", ".join(content)))
        return
    schema = content[documented[0]].get("schema")
    if not is_json(media) or schema is None:
        return
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        problem("%s: %s %s %s: the body is not JSON: %s" % (where, method, path, status, e))
        return
    error = jsonschema.exceptions.best_match(s.validator(schema).iter_errors(data))
    if error is not None:
        at = "/".join(str(p) for p in error.absolute_path)
        problem("%s: %s %s %s: the body does not match %s: %s%s"
                % (where, method, path, status, schema.get("$ref", "its schema"),
                   error.message[:200], " (at /%s)" % at if at else ""))


def check_logs(s, logs):
    count = 0
    for log in logs:
        try:
            with open(log, encoding="utf-8") as f:
                lines = f.readlines()
        except OSError as e:
            problem("cannot read %s: %s" % (log, e.strerror))
            continue
        for lineno, line in enumerate(lines, 1):
            where = "%s:%d" % (os.path.basename(log), lineno)
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 5 or not re.fullmatch(r"[0-9]{3}", fields[2]):
                problem("%s: not METHOD PATH STATUS TYPE BODY: %r" % (where, line[:120]))
                continue
            count += 1
            method, path, status, ctype, body = fields
            check_answer(s, where, method, path, status, ctype, body)
    if count == 0:
        problem("no answers to check in %s" % " ".join(logs))
    return "%d responses checked against openapi.json" % count


# ---- the document ------------------------------------------------------------

def walk(obj, pointer=""):
    """Each (JSON pointer, object) in `obj`, itself first."""
    yield pointer, obj
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from walk(v, "%s/%s" % (pointer, str(k).replace("~", "~0").replace("/", "~1")))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from walk(v, "%s/%d" % (pointer, i))


def check_refs(s):
    for name, (base, doc) in s.files.items():
        resolver = s.resolver(base)
        for pointer, obj in walk(doc):
            if isinstance(obj, dict) and isinstance(obj.get("$ref"), str):
                try:
                    resolver.resolve(obj["$ref"])
                except jsonschema.exceptions.RefResolutionError as e:
                    unresolved(obj["$ref"], name + "#" + pointer, e)
        if name != "openapi.json":
            try:
                Draft202012Validator.check_schema(doc)
            except jsonschema.exceptions.SchemaError as e:
                problem("%s: not a Draft 2020-12 schema: %s" % (name, e.message[:200]))


def schemas_of(api):
    """Each (pointer, schema) of the document: components' and every `schema`."""
    for key, schema in api.get("components", {}).get("schemas", {}).items():
        yield "/components/schemas/" + key, schema
    for pointer, obj in walk(api):
        if isinstance(obj, dict) and isinstance(obj.get("schema"), dict):
            yield pointer + "/schema", obj["schema"]


def operations(s):
    for template, item in s.api.get("paths", {}).items():
        item = s.deref(item)
        for method in METHODS:
            if method in item:
                yield template, item, method, item[method]


def check_document(s, routes_c):
    api = s.api
    if not str(api.get("openapi", "")).startswith("3.1."):
        problem("openapi.json: openapi is %r, not 3.1.x" % api.get("openapi"))
    if api.get("jsonSchemaDialect") != DIALECT:
        problem("openapi.json: jsonSchemaDialect is not %s" % DIALECT)
    if "token" not in api.get("components", {}).get("securitySchemes", {}):
        problem("openapi.json: no securitySchemes token (Authorization: Bearer)")
    check_refs(s)
    for pointer, schema in schemas_of(api):
        try:
            Draft202012Validator.check_schema(schema)
        except jsonschema.exceptions.SchemaError as e:
            problem("openapi.json#%s: not a Draft 2020-12 schema: %s" % (pointer, e.message[:200]))
    error_ref = "#/components/schemas/Error"
    ids = set()
    for template, item, method, op in operations(s):
        name = "%s %s" % (method.upper(), template)
        if op.get("operationId") in ids or not op.get("operationId"):
            problem("openapi.json: %s has no operationId of its own" % name)
        ids.add(op.get("operationId"))
        declared = {p["name"] for p in map(s.deref, item.get("parameters", []) + op.get("parameters", []))
                    if p.get("in") == "path"}
        wanted = set(re.findall(r"\{([^}]*)\}", template))
        if declared != wanted:
            problem("openapi.json: %s declares the path parameters %s, its path has %s"
                    % (name, sorted(declared), sorted(wanted)))
        responses = op.get("responses") or {}
        if not responses:
            problem("openapi.json: %s has no responses" % name)
        for status, response in responses.items():
            response = s.deref(response)
            if "description" not in response:
                problem("openapi.json: %s %s has no description" % (name, status))
            if status[0] in "45":
                content = response.get("content", {})
                if list(content) != ["application/json"] or \
                        not is_error(content["application/json"].get("schema"), error_ref):
                    problem("openapi.json: %s %s is not application/json %s"
                            % (name, status, error_ref))
    check_routes(s, routes_c)


def is_error(schema, error_ref):
    """The shared Error, or an object holding its "error" and more (a refused FAI's checks)."""
    if schema == {"$ref": error_ref}:
        return True
    return isinstance(schema, dict) and schema.get("type") == "object" and \
        "error" in schema.get("required", []) and \
        schema.get("properties", {}).get("error") == {"$ref": error_ref + "/properties/error"}


def read_routes(routes_c):
    """The rows of serve_routes[]: (METHOD, /api/v1/path with {}, body types)."""
    with open(routes_c, encoding="utf-8") as f:
        text = f.read()
    table = re.search(r"serve_routes\[\]\s*=\s*\{(.*?)\n\};", text, re.S)
    if not table:
        raise SystemExit("openapi-check: no serve_routes[] table in %s" % routes_c)
    rows = []
    for m in re.finditer(r'\{\s*"([A-Z]+)",\s*"([^"]*)",\s*([^,]+?),\s*\w+\s*\}', table.group(1)):
        bits = {b.strip() for b in m.group(3).split("|")} - {"0"}
        unknown = bits - set(BODY_TYPES)
        if unknown:
            raise SystemExit("openapi-check: %s: a body of %s" % (routes_c, ", ".join(sorted(unknown))))
        rows.append((m.group(1), "/api/v1/" + m.group(2), sorted(BODY_TYPES[b] for b in bits)))
    if not rows:
        raise SystemExit("openapi-check: serve_routes[] in %s has no rows" % routes_c)
    return rows


def shape(template):
    return re.sub(r"\{[^}]*\}", "{}", template)


def check_routes(s, routes_c):
    rows = read_routes(routes_c)
    documented = {}
    for template, item, method, op in operations(s):
        body = s.deref(op.get("requestBody", {}))
        documented[(method.upper(), shape(template))] = (template, sorted(body.get("content", {})))
    in_table = set()
    for method, path, types in rows:
        in_table.add((method, path))
        if (method, path) not in documented:
            problem("%s %s is in serve_routes[] but not in openapi.json" % (method, path))
            continue
        template, doc_types = documented[(method, path)]
        if doc_types != types:
            problem("%s %s takes %s (serve_routes[]) but openapi.json says %s"
                    % (method, template, types or "no body", doc_types or "no body"))
    for (method, path), (template, _) in documented.items():
        if (method, path) not in in_table:
            problem("%s %s is in openapi.json but not in serve_routes[]" % (method, template))
    order = []
    for _, path, _ in rows:
        if path not in order:
            order.append(path)
    paths = [shape(t) for t in s.api.get("paths", {})]
    if [p for p in paths if p in order] != [p for p in order if p in paths]:
        problem("openapi.json: the paths are not in serve_routes[]'s order")
    return len(rows)


def main(argv):
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "schemas")
    if argv[:1] == ["--schemas"] and len(argv) > 1:
        folder, argv = argv[1], argv[2:]
    if not argv or argv[0] in ("-h", "--help") or (argv[0] == "--document" and len(argv) != 2):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        s = Schemas(folder)
    except (OSError, ValueError) as e:
        print("openapi-check: %s" % e, file=sys.stderr)
        return 1
    if argv[0] == "--document":
        check_document(s, argv[1])
        summary = "openapi.json: %d operations, %d schema files" % (
            len(list(operations(s))), len(s.files) - 1)
    else:
        summary = check_logs(s, argv)
    print(summary + ("" if not problems else ", %d problems" % len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
