-- Institution settings edited by staff (names, IT office, help desk, VPN page). Each row
-- overrides the configuration key of the same name (`institution.name_zh`, `helpdesk.phone`
-- …); a key without a row keeps the configured value. An empty value means "none" for the
-- optional keys (`institution.vpn_url`, `helpdesk.email`); `helpdesk.extensions` is a
-- comma-separated list.

create table settings (
    key text primary key check (length(key) between 1 and 80),
    value text not null check (length(value) <= 2000),
    updated_at text not null,
    updated_by text not null
) strict;
