-- Tutorials and error-code explanations, one row per language, bodies in Markdown.
-- `meta` records one-off facts about this database, such as when default content was seeded.

create table tutorials (
    slug text not null check (slug in ('windows', 'office')),
    lang text not null check (lang in ('zh-TW', 'en')),
    title text not null check (length(title) between 1 and 200),
    body_md text not null check (length(body_md) <= 200000),
    updated_at timestamptz not null,
    primary key (slug, lang)
);

create table error_codes (
    code text primary key check (code ~ '^0x[0-9A-F]{8}$'),
    category text not null
        check (category in ('permission', 'network', 'time', 'kms-host', 'key', 'edition', 'installation')),
    applies_windows boolean not null,
    applies_office boolean not null,
    sort_order bigint not null default 0
);

create table error_code_texts (
    code text not null references error_codes (code) on delete cascade,
    lang text not null check (lang in ('zh-TW', 'en')),
    title text not null check (length(title) between 1 and 200),
    message text not null check (length(message) <= 2000),
    cause_md text not null check (length(cause_md) <= 20000),
    remedy_md text not null check (length(remedy_md) <= 20000),
    primary key (code, lang)
);

create table meta (
    key text primary key,
    value text not null
);
