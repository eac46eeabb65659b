"""The approval engine (DESIGN "The approval engine", issue #2 §3).

    from zhidu.core.approvals import services as approvals, selectors as approval_selectors
    from zhidu.core.approvals.registry import ProcessType, register_process

Policies are data (`models.ApprovalPolicy` with immutable versions; `policy` explains the
definition), steps are resolved to people by `resolvers`, `presets` hold the regulation variants
(VAR-01 A/B/C), `services` run the operations and `tasks` reminds and escalates overdue steps.
"""
