-- Staff accounts, their server-side sessions, and the audit log of every change.
-- A session row holds the SHA-256 of the cookie's secret, never the secret itself.

create table users (
    id integer primary key,
    username text not null unique check (length(username) between 1 and 64),
    role text not null check (role in ('admin', 'viewer')),
    password_hash text not null,
    must_change_password integer not null default 0 check (must_change_password in (0, 1)),
    created_at text not null,
    updated_at text not null
) strict;

create table sessions (
    id_hash text primary key check (length(id_hash) = 64),
    user_id integer not null references users (id) on delete cascade,
    csrf_token text not null,
    created_at text not null,
    last_seen_at text not null,
    expires_at text not null
) strict;

create index sessions_user on sessions (user_id);
create index sessions_expiry on sessions (expires_at);

create table audit_log (
    id integer primary key,
    at text not null,
    username text not null,
    action text not null,
    entity text not null,
    entity_key text not null,
    before_json text,
    after_json text
) strict;

create index audit_log_at on audit_log (at);
