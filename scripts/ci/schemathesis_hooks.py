"""Schemathesis hooks of the API fuzz (scripts/ci/fuzz-api.sh sets SCHEMATHESIS_HOOKS to this file).

JSON Schema cannot say that a string holds no unpaired UTF-16 surrogate, or that a document nests
at most 128 levels, so the fuzz would rarely send either of the inputs PostgreSQL cannot store.
Here, of the generated bodies with a free-form JSON object (a message's `payload`, an event
type's `schemas`: any content is schema-valid there), half get one in it (chosen by a checksum
of the body, so the same seed sends the same requests): an object with a key and a value holding
a lone surrogate, or, every other time, one nested 200 levels deep (for `schemas`, as version
"1"); such a body loses its undeclared properties. Then:

- `unstorable_input_refused` (a check of its own) fails any request whose body has such input in
  a field the operation declares (undeclared fields are ignored, as Svix does) that the API
  answers 2xx: it would have stored the input altered, or failed later on it;
- the answer the API must give, a 422 naming the field with type `unpaired_surrogate` or
  `too_deep`, is not a schema-valid request wrongly refused, so `filter_failure` drops
  `positive_data_acceptance`'s complaint about exactly that answer, and nothing else.

An endpoint's payload filter is the other thing the document cannot describe (Convoy's filter
syntax: operators, dotted paths, no empty condition), so `filter_failure` also drops that
complaint about a 422 whose every problem is a filter problem at `body.filter`; and so are the
stats routes' limits on a range, which relate two query parameters (`range_order`,
`range_too_wide`, `too_many_buckets`, `range_incomplete`), and an endpoint's two names for one field (the
open-source Svix server's `filterTypes` and `rateLimit` beside `eventTypes` and
`throttleRate`), which must agree when both are sent (`alias_conflict`).

Every other check applies to these requests as to any: no 5xx, answers in their documented shape.
"""

import zlib

import schemathesis

MAX_DEPTH = 128
NESTED_LEVELS = 200
UNSTORABLE_TYPES = {"unpaired_surrogate", "too_deep"}
# The problems of a payload filter (FilterProblemCode in libs/filters): the document says the
# filter is a JSON object, and the rest of Convoy's syntax in words, so a schema-valid filter may
# still be refused, at body.filter.<path>, which the filters' own tests cover.
FILTER_PROBLEM_TYPES = {"invalid_filter", "unknown_operator", "invalid_operand", "invalid_path", "invalid_regex", "limit_exceeded"}
# The stats routes' limits on a range, which bind two parameters (since and until, startDate and
# endDate, or the range and the bucket width): each is a schema-valid value alone, and JSON Schema
# cannot relate them.
# The document says them in words; test/integration/stats.e2e.spec.ts covers each refusal.
RANGE_PROBLEM_TYPES = {"range_order", "range_too_wide", "too_many_buckets", "range_incomplete"}
# An endpoint field the open-source Svix server names otherwise, sent under both names with
# different values: JSON Schema cannot say that two properties must be equal.
ALIASED_FIELDS = {"filterTypes", "rateLimit"}
# The request fields that take any JSON object, and where in one the hooks put what cannot be
# stored: anywhere in a message's payload; in an event type's schemas, inside a version ("1"),
# whose content is any JSON Schema (unknown keywords are allowed), as the keys must be versions.
FREE_FORM = {"payload": lambda bad: bad, "schemas": lambda bad: {"1": bad}}


def _is_surrogate(character):
    return 0xD800 <= ord(character) <= 0xDFFF


def unstorable(value):
    """Whether the JSON value holds a lone surrogate in a string or key, or nests deeper than MAX_DEPTH."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if any(_is_surrogate(character) for character in item):
                return True
        elif isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                return True
            if isinstance(item, dict):
                for key, child in item.items():
                    if isinstance(key, str) and any(_is_surrogate(character) for character in key):
                        return True
                    pending.append((child, depth + 1))
            else:
                pending.extend((child, depth + 1) for child in item)
    return False


def _nested(levels):
    value = {"bottom": True}
    for _ in range(levels):
        value = {"a": value}
    return value


def declared_properties(operation):
    """The names of the body's properties the operation declares (inline in this API's document), or None."""
    try:
        return set(operation.definition.raw["requestBody"]["content"]["application/json"]["schema"]["properties"])
    except (AttributeError, KeyError, TypeError):
        return None


@schemathesis.hook
def map_body(context, body):
    if not isinstance(body, dict):
        return body
    properties = declared_properties(context.operation) or set()
    field = next((name for name in FREE_FORM if name in properties and isinstance(body.get(name), dict)), None)
    if field is None:
        return body
    choice = zlib.crc32(repr(sorted(body.items(), key=lambda item: item[0])).encode("utf-8", "surrogatepass")) % 4
    if choice >= 2:
        return body
    # Without the undeclared properties (the API ignores them): for a body with any,
    # positive_data_acceptance explains a refusal by validating the body, and its validator cannot
    # encode a lone surrogate (it raises, an error of the run instead of a verdict).
    mutated = {name: value for name, value in body.items() if name in properties}
    mutated[field] = FREE_FORM[field]({"unpaired\ud800": "\udc00"} if choice == 0 else _nested(NESTED_LEVELS))
    return mutated


def declared(case):
    """The body's fields the operation declares (the API ignores the others)."""
    properties = declared_properties(case.operation)
    if properties is None or not isinstance(case.body, dict):
        return case.body
    return {name: value for name, value in case.body.items() if name in properties}


@schemathesis.check
def unstorable_input_refused(ctx, response, case):
    """A body PostgreSQL cannot store (a lone surrogate, nesting past 128 levels) is never answered 2xx."""
    if case.body is None or not unstorable(declared(case)):
        return None
    if 200 <= response.status_code < 300:
        raise AssertionError(f"an unpaired surrogate or nesting past {MAX_DEPTH} levels was accepted ({response.status_code}) instead of refused with a 422")
    return None


def _refused_for_undescribable(case, problems):
    """Whether every problem of a 422 is one the document cannot describe: input PostgreSQL cannot
    store (in a body the hooks gave it), the filter language of an endpoint's `filter`, a stats
    range's limits, which relate two parameters, or an endpoint field sent under both its names
    with different values."""
    for problem in problems:
        kind, loc = problem.get("type"), problem.get("loc") or []
        if kind in UNSTORABLE_TYPES and case.body is not None and unstorable(case.body):
            continue
        if kind in FILTER_PROBLEM_TYPES and loc[:2] == ["body", "filter"]:
            continue
        if kind in RANGE_PROBLEM_TYPES and loc[:1] == ["query"]:
            continue
        if kind == "alias_conflict" and loc[:1] == ["body"] and loc[1:2] and loc[1] in ALIASED_FIELDS:
            continue
        return False
    return bool(problems)


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if "positive_data_acceptance" not in getattr(failure, "checks", ()) or response.status_code != 422:
        return True
    try:
        problems = response.json()["detail"]
        refused = _refused_for_undescribable(case, problems)
    except (ValueError, KeyError, TypeError, AttributeError):
        return True
    # Dropped only when the API refused the request for what the document cannot describe.
    return not refused
