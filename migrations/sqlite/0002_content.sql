-- Tutorials and error-code explanations, one row per language, bodies in Markdown.
-- `meta` records one-off facts about this database, such as when default content was seeded.

create table tutorials (
    slug text not null check (slug in ('windows', 'office')),
    lang text not null check (lang in ('zh-TW', 'en')),
    title text not null check (length(title) between 1 and 200),
    body_md text not null check (length(body_md) <= 200000),
    updated_at text not null,
    primary key (slug, lang)
) strict;

create table error_codes (
    code text primary key check (code glob '0x[0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F]'),
    category text not null
        check (category in ('permission', 'network', 'time', 'kms-host', 'key', 'edition', 'installation')),
    applies_windows integer not null check (applies_windows in (0, 1)),
    applies_office integer not null check (applies_office in (0, 1)),
    sort_order integer not null default 0
) strict;

create table error_code_texts (
    code text not null references error_codes (code) on delete cascade,
    lang text not null check (lang in ('zh-TW', 'en')),
    title text not null check (length(title) between 1 and 200),
    message text not null check (length(message) <= 2000),
    cause_md text not null check (length(cause_md) <= 20000),
    remedy_md text not null check (length(remedy_md) <= 20000),
    primary key (code, lang)
) strict;

create table meta (
    key text primary key,
    value text not null
) strict;
