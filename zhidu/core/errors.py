"""Errors that services raise when a rule refuses an action (DESIGN rule 9).

The message is in the user's language and cites the article, e.g.
"根据第九条第2款，5万元以上须经财务总监审批". Views show it; the API answers 400 (or 409 for a
conflict with the current state) with it as `detail`.
"""


class RuleViolation(Exception):
    """An action refused by a rule of the regulation or of the workflow."""

    def __init__(self, message, *, code: str = "rule", article: str = ""):
        super().__init__(message)
        self.message = str(message)
        self.code = code
        self.article = article

    def __str__(self):
        return self.message


class Conflict(RuleViolation):
    """The action no longer fits the object's state (a closed step, a document already filed)."""

    def __init__(self, message, *, code: str = "conflict", article: str = ""):
        super().__init__(message, code=code, article=article)
