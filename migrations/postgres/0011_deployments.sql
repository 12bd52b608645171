-- Deployment tokens: one per named unit (a computer lab, a department's PCs) to which IT
-- deploys the activator with a management tool (GPO, SCCM, Intune), instead of one per
-- download. The token is not stored: it is recomputed from its id, expiry and version
-- with the server's secret whenever staff download the unit's zip. Revoking one also
-- lists its id in revoked_tokens, which every report's token is checked against.
create table deployments (
    token_id text primary key check (length(token_id) = 24),
    unit text not null check (char_length(unit) between 1 and 200),
    version_slug text not null,
    created_at timestamptz not null,
    created_by text not null,
    expires_at timestamptz not null,
    revoked_at timestamptz,
    revoked_by text
);

create index deployments_created on deployments (created_at);
