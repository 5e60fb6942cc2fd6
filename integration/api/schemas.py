"""Marshmallow schemas of the admin API: they validate requests, shape responses and generate
the OpenAPI document, so the three cannot disagree."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from connectors.registry import PLATFORMS as REGISTERED
from screening.models import Risk
from store.review import Decision, Scope

PLATFORMS = tuple(sorted(REGISTERED))


class CleanString(fields.String):
    """A string the databases can store: valid UTF-8 without NUL or other control characters."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValidationError("not valid UTF-8 text") from exc
        if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text):
            raise ValidationError("control characters are not allowed")
        return text


def _text(max_length: int, min_length: int = 0, **kwargs) -> CleanString:
    return CleanString(validate=validate.Length(min=min_length, max=max_length), **kwargs)


class ErrorSchema(Schema):
    error = fields.String(required=True, metadata={"description": "machine-readable error kind"})
    reason = fields.String(required=True, metadata={"description": "what went wrong and what to do"})
    fields_ = fields.Dict(
        attribute="fields", data_key="fields", metadata={"description": "per-field validation messages"}
    )


# --- installations ---


class InstallationSchema(Schema):
    id = fields.String(required=True)
    platform = fields.String(required=True)
    name = fields.String(required=True)
    api_base_url = fields.String(allow_none=True)
    on_behalf_of = fields.String(allow_none=True)
    client_id = fields.String(allow_none=True)
    token_url = fields.String(allow_none=True)
    needs = fields.String(
        allow_none=True,
        metadata={"description": "what the admin must do before the ATS can be reached, with the command"},
    )
    settings = fields.Dict(keys=fields.String())
    status = fields.String()
    created_at = fields.DateTime()
    underlying_ats = fields.String(
        allow_none=True, metadata={"description": "the ATS behind a unified API (Kombo), e.g. workday"}
    )
    missing_in_ats_in_a_row = fields.Integer(
        metadata={"description": "candidates the ATS answered 404 for since the last that worked"}
    )
    warning = fields.String(
        allow_none=True, metadata={"description": "what an admin should fix, if anything"}
    )


class AccessCheckSchema(Schema):
    ok = fields.Boolean(required=True)
    problem = fields.String(
        allow_none=True,
        metadata={"description": "wrong_url | bad_credentials | missing_permission | unreachable | refused"},
    )
    message = fields.String(required=True)


class InstallationCreateSchema(Schema):
    platform = fields.String(required=True, validate=validate.OneOf(PLATFORMS))
    name = _text(200, 1, required=True)
    api_key = _text(500)
    webhook_secret = _text(500)
    api_base_url = fields.URL(schemes={"http", "https"}, require_tld=False, validate=validate.Length(max=500))
    on_behalf_of = _text(200)
    client_id = _text(500, 1)
    client_secret = _text(500, 1)
    token_url = fields.URL(schemes={"http", "https"}, require_tld=False, validate=validate.Length(max=500))
    integration_id = _text(200, 1, metadata={"description": "Kombo: its integration id (workday:8d1h...)"})


class InstallationCreatedSchema(InstallationSchema):
    webhook_url = fields.String(required=True)
    webhook_secret = fields.String(required=True, metadata={"description": "shown once"})
    admin_token = fields.String(
        required=True, metadata={"description": "an admin API token for it, shown once"}
    )


class InstallationUpdateSchema(Schema):
    name = _text(200, 1)
    api_key = _text(500, 1, load_only=True)
    api_base_url = fields.URL(
        schemes={"http", "https"}, require_tld=False, allow_none=True, validate=validate.Length(max=500)
    )
    on_behalf_of = _text(200, allow_none=True)
    client_id = _text(500, 1)
    client_secret = _text(500, 1, load_only=True)
    token_url = fields.URL(
        schemes={"http", "https"}, require_tld=False, allow_none=True, validate=validate.Length(max=500)
    )


class SettingsSchema(Schema):
    """Per-installation settings (tag names, note text, ...): a flat map of names to values."""

    settings = fields.Dict(
        keys=CleanString(validate=validate.Length(min=1, max=64)),
        values=fields.Raw(allow_none=True),
        required=True,
    )


class SecretRotatedSchema(Schema):
    id = fields.String(required=True)
    webhook_url = fields.String(required=True)
    webhook_secret = fields.String(required=True, metadata={"description": "shown once"})


# --- API tokens and users of an installation ---


class TokenSchema(Schema):
    id = fields.String(required=True, metadata={"description": "public id (the audit trail's token:<id>)"})
    scope = fields.String(required=True)
    label = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class TokenCreateSchema(Schema):
    scope = fields.String(
        required=True,
        validate=validate.OneOf([s.value for s in Scope]),
        metadata={"description": "no broader than the calling token's"},
    )
    label = _text(200, load_default="")
    days = fields.Integer(
        validate=validate.Range(min=1, max=3650),
        metadata={
            "description": "lifetime (default HIREWATCH_TOKEN_DAYS); never past the calling token's expiry"
        },
    )


class TokenCreatedSchema(TokenSchema):
    token = fields.String(required=True, metadata={"description": "shown once: only its hash is stored"})


class UserSchema(Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    role = fields.String(required=True)
    created_at = fields.DateTime()
    disabled_at = fields.DateTime(allow_none=True, metadata={"description": "set: cannot sign in"})


# --- applicants, screenings, decisions ---


class ApplicantQuerySchema(Schema):
    risk = fields.List(
        fields.String(validate=validate.OneOf([r.value for r in Risk])),
        metadata={"description": "repeat to filter by several levels"},
    )
    q = _text(200, metadata={"description": "part of the name or the ATS candidate id"})
    needs_review = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))


class ApplicantSummarySchema(Schema):
    id = fields.Integer(required=True)
    external_id = fields.String(required=True)
    application_id = fields.String(allow_none=True)
    name = fields.String()
    risk = fields.String(allow_none=True)
    score = fields.Float(allow_none=True)
    review_status = fields.String()
    updated_at = fields.DateTime()


class HitSchema(Schema):
    key = fields.String(required=True, metadata={"description": "use as hit_key in a decision"})
    list = fields.String()
    entity_id = fields.String()
    entity_name = fields.String()
    matched_name = fields.String()
    matched_on = fields.String()
    score = fields.Float()
    programs = fields.List(fields.String())
    explanation = fields.String()
    applicant_value = fields.String()
    entity_type = fields.String()
    corroborated = fields.Boolean()
    contradicted = fields.Boolean()
    list_version = fields.String()
    details = fields.Dict()


class FlagSchema(Schema):
    code = fields.String()
    severity = fields.String()
    message = fields.String()
    evidence = fields.Dict()
    score = fields.Float()
    linked_applicants = fields.List(fields.Nested(ApplicantSummarySchema))


class ScreeningSchema(Schema):
    id = fields.Integer()
    trigger = fields.String()
    risk = fields.String()
    score = fields.Float()
    created_at = fields.DateTime()
    list_versions = fields.Dict()
    reasons = fields.List(fields.String())
    sanctions_hits = fields.List(fields.Nested(HitSchema))
    flags = fields.List(fields.Nested(FlagSchema))


class DecisionSchema(Schema):
    id = fields.Integer()
    applicant_id = fields.Integer()
    decision = fields.String()
    hit_key = fields.String(allow_none=True)
    reason = fields.String()
    actor = fields.String()
    created_at = fields.DateTime()
    writeback_status = fields.String(
        allow_none=True,
        metadata={
            "description": "the ATS tag and note for this decision: pending (the task queue was "
            "unreachable: kept and retried automatically), queued, done or failed"
        },
    )


class DecisionCreatedSchema(DecisionSchema):
    hits = fields.List(fields.String(), metadata={"description": "hit keys the decision covers"})
    review_status = fields.String()


class ApplicantDetailSchema(ApplicantSummarySchema):
    data = fields.Dict()
    latest_screening = fields.Nested(ScreeningSchema, allow_none=True)
    decisions = fields.List(fields.Nested(DecisionSchema))
    badge_url = fields.String(metadata={"description": "signed, expiring risk-badge image URL"})


class DecisionCreateSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf([d.value for d in Decision]))
    reason = _text(2000, 1, required=True)
    hit_key = _text(200, metadata={"description": "one hit of the latest screening; omit for all hits"})


# --- re-screen jobs and lists ---


class JobSchema(Schema):
    id = fields.Integer(required=True)
    installation_id = fields.String()
    kind = fields.String()
    status = fields.String(metadata={"description": "running | done | cancelled | failed"})
    total = fields.Integer(metadata={"description": "candidates found so far"})
    done = fields.Integer()
    failed = fields.Integer()
    paging_done = fields.Boolean(metadata={"description": "true once total is final"})
    eta_seconds = fields.Float(allow_none=True)
    error = fields.String(allow_none=True)
    started_at = fields.String()
    updated_at = fields.String()


class ListVersionSchema(Schema):
    id = fields.String(required=True)
    created_at = fields.String()
    source = fields.String()
    files = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": "path -> sha256"}
    )
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    list_versions = fields.Dict(keys=fields.String(), values=fields.String())
    warnings = fields.List(fields.String())
    current = fields.Boolean()


class ListStatusSchema(Schema):
    current = fields.Nested(ListVersionSchema, allow_none=True)
    previous = fields.Nested(ListVersionSchema, allow_none=True)
    versions = fields.Integer()


VERSION_REF = r"^(current|previous|\d{8}T\d{12}Z-[0-9a-f]{12})$"  # never a path: resolve() also reads dirs


class ListDiffQuerySchema(Schema):
    old = fields.String(
        load_default="previous",
        validate=validate.Regexp(VERSION_REF),
        metadata={"description": "version id, current or previous"},
    )
    new = fields.String(
        load_default="current",
        validate=validate.Regexp(VERSION_REF),
        metadata={"description": "version id, current or previous"},
    )


class DiffEntrySchema(Schema):
    entity_id = fields.String()
    name = fields.String()
    type = fields.String()
    programs = fields.List(fields.String())
    fields_ = fields.List(
        fields.String(), attribute="fields", data_key="fields", metadata={"description": "changed fields"}
    )


class ListDiffSchema(Schema):
    list = fields.String()
    old_version = fields.String()
    new_version = fields.String()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    added = fields.List(fields.Nested(DiffEntrySchema))
    removed = fields.List(fields.Nested(DiffEntrySchema))
    changed = fields.List(fields.Nested(DiffEntrySchema))


# --- search the lists ---


class SearchQuerySchema(Schema):
    q = _text(200, 2, required=True, metadata={"description": "a name, e-mail, website, phone or wallet"})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class SearchMatchSchema(Schema):
    matched_on = fields.String()
    matched_name = fields.String()
    score = fields.Float()
    explanation = fields.String()
    corroborated = fields.Boolean()
    contradicted = fields.Boolean()


class SearchResultSchema(Schema):
    list = fields.String()
    list_label = fields.String()
    entity_id = fields.String(metadata={"description": "the list's own id (OFAC ent_num, UN reference)"})
    entity_name = fields.String()
    entity_type = fields.String()
    programs = fields.List(fields.String())
    score = fields.Float()
    official_url = fields.String(metadata={"description": "the official entry (or the list it is in)"})
    official_label = fields.String(metadata={"description": "what the link opens, in words"})
    matches = fields.List(fields.Nested(SearchMatchSchema))


class SearchSchema(Schema):
    query = fields.String()
    lists = fields.Dict(keys=fields.String(), values=fields.String())
    results = fields.List(fields.Nested(SearchResultSchema))


# --- audit ---


class AuditQuerySchema(Schema):
    format = fields.String(load_default="jsonl", validate=validate.OneOf(["jsonl", "csv"]))
    since = fields.AwareDateTime(default_timezone=None, metadata={"description": "ISO 8601 with offset"})
    limit = fields.Integer(load_default=10_000, validate=validate.Range(min=1, max=100_000))
