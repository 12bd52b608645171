-- Downloads (one row per token issued) and activation reports, with the roll-ups the
-- dashboard reads. Roll-ups are updated in the same transaction that stores a report, so
-- the dashboard never scans raw reports. `network` is the campus network's configured
-- name, or the client's /24 (IPv4) or /48 (IPv6) prefix.

create table downloads (
    token_id text primary key check (length(token_id) = 24),
    version_slug text not null,
    network text not null,
    created_at text not null,
    expires_at text not null,
    revoked_at text,
    first_report_at text
) strict;

create index downloads_created on downloads (created_at);
create index downloads_unreported on downloads (first_report_at, created_at);

create table reports (
    report_id text primary key,
    token_id text not null,
    product text not null,
    network text not null,
    received_at text not null,
    started_at text not null,
    duration_ms integer not null,
    machine_id text not null,
    os_version text not null,
    os_edition text not null,
    architecture text not null,
    ui_language text not null,
    utc_offset_minutes integer not null,
    activator_version text not null,
    outcome text not null check (outcome in ('success', 'partial', 'failure', 'aborted')),
    findings_json text not null,
    products_json text not null
) strict;

create index reports_received on reports (received_at);
create index reports_failures on reports (outcome, received_at);

-- Reports per day (in the institution's time zone) × version × network × outcome.
create table daily_outcomes (
    day text not null,
    product text not null,
    network text not null,
    outcome text not null,
    n_reports integer not null,
    primary key (day, product, network, outcome)
) strict;

-- Failed product results per day × version × network × error code.
create table daily_errors (
    day text not null,
    product text not null,
    network text not null,
    error_code text not null,
    n_results integer not null,
    primary key (day, product, network, error_code)
) strict;

-- Downloads per day × version × network.
create table daily_downloads (
    day text not null,
    product text not null,
    network text not null,
    n_downloads integer not null,
    primary key (day, product, network)
) strict;

-- One row per machine and version: when it was first and last seen, and last activated.
create table machine_products (
    machine_id text not null,
    product text not null,
    network text not null,
    first_seen text not null,
    last_seen text not null,
    last_success text,
    last_outcome text not null,
    primary key (machine_id, product)
) strict;

create index machine_products_seen on machine_products (product, last_seen);
create index machine_products_success on machine_products (product, last_success);

-- Tokens revoked by staff; loaded into memory, so checking one needs no query.
create table revoked_tokens (
    token_id text primary key,
    revoked_at text not null
) strict;
