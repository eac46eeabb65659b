"""The global change log for auditors (DESIGN "Change log"): /audit/log/ and /api/audit/log/.

The log shows changes of every object of the organisation, so only superusers and holders of
core.view_changelogentry org-wide (role `auditor`) may see it; an object's own history tab
(generic object page) is scoped like the object.
"""
