"""Power Automate's workflow expression language, evaluated locally (no Flask import anywhere below).

The public API is `parse`, `evaluate`, `evaluate_template`, `Expression` and the errors `ExpressionError`,
`ExpressionParseError` and `ExpressionEvaluationError`; everything else may change.

    >>> evaluate("@concat('Hello, ', triggerBody()?['name'])", {"trigger": {"body": {"name": "Ada"}}})
    'Hello, Ada'
    >>> evaluate_template({"total": "@add(1, 2)", "text": "n=@{add(1, 2)}"}, {})
    {'total': 3, 'text': 'n=3'}

The context is a plain dict; every key is optional:

- `trigger`: the trigger's outputs, `{"headers", "body", "queries", "relativePathParameters"}` (or a whole trigger
  record `{"name", "outputs", ...}`); read by `trigger()`, `triggerBody()`, `triggerOutputs()`, the form-data
  functions and `triggerMultipartBody()`;
- `actions`: `{action name: {"status", "inputs", "outputs", "startTime", "endTime", "code", "error", ...}}`, read
  by `body()`, `outputs()`, `actions()`, `actionBody()`, `actionOutputs()`;
- `variables`: `{name: value}`; `parameters`: `{name: value}` (or `{name: {"type", "value"|"defaultValue"}}`);
- `items`: `{foreach loop name: current item}`, innermost loop last (`item()` is the last one, `items('Loop')` by
  name); `item`: the current item of an array operation (Select, Filter array), which `item()` prefers;
- `iteration_indexes`: `{until or foreach loop name: current index}`, for `iterationIndexes()`;
- `results`: `{scoped action name: [action result, ...]}`, for `result()`;
- `action`: the current action's result, for `action()`;
- `workflow`: `{"id", "name", "type", "location", "run": {"id", "name", "type"}, ...}`, for `workflow()`;
- `callback_url`: the trigger's callback URL, for `listCallbackUrl()`;
- `trigger_name`: the trigger's name when `trigger` holds only outputs (default `manual`);
- `now`: an ISO 8601 timestamp (or aware datetime) that fixes the clock of `utcNow()` and the other date
  functions; without it the real clock is read once per evaluation.
"""

from .errors import ExpressionError, ExpressionEvaluationError, ExpressionParseError
from .expression import Expression, evaluate, parse
from .templates import evaluate_template

__all__ = [
    "Expression",
    "ExpressionError",
    "ExpressionEvaluationError",
    "ExpressionParseError",
    "evaluate",
    "evaluate_template",
    "parse",
]
