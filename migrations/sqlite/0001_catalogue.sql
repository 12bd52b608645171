-- The licence catalogue: agreements hold products, products hold versions.
-- Seats and terms sit on versions because the seed gives them per line of its table.
-- Booleans are 0/1 integers and dates ISO-8601 text (what sqlx writes for time::Date).

create table agreements (
    id integer primary key,
    slug text not null unique check (length(slug) between 1 and 80),
    name_zh text not null check (length(name_zh) between 1 and 200),
    name_en text not null check (length(name_en) between 1 and 200),
    sort_order integer not null default 0
) strict;

create table products (
    id integer primary key,
    agreement_id integer not null references agreements (id) on delete cascade,
    slug text not null unique check (length(slug) between 1 and 80),
    name_zh text not null check (length(name_zh) between 1 and 200),
    name_en text not null check (length(name_en) between 1 and 200),
    sort_order integer not null default 0
) strict;

create index products_agreement on products (agreement_id);

create table versions (
    id integer primary key,
    product_id integer not null references products (id) on delete cascade,
    slug text not null unique check (length(slug) between 1 and 80),
    name_zh text not null check (length(name_zh) between 1 and 200),
    name_en text not null check (length(name_en) between 1 and 200),
    family text not null
        check (family in ('windows', 'office', 'project', 'visio', 'visual-studio', 'other')),
    -- Either a number of seats, or campus-wide, or neither (the seed does not say).
    seats integer check (seats is null or seats > 0),
    campus_wide integer not null default 0 check (campus_wide in (0, 1)),
    term_start text check (term_start is null or term_start glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    term_end text check (term_end is null or term_end glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    kms_activated integer not null default 0 check (kms_activated in (0, 1)),
    has_tutorial integer not null default 0 check (has_tutorial in (0, 1)),
    has_activator integer not null default 0 check (has_activator in (0, 1)),
    sort_order integer not null default 0,
    check (not (campus_wide = 1 and seats is not null)),
    check (term_start is null or term_end is null or term_start <= term_end)
) strict;

create index versions_product on versions (product_id);
