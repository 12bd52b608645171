-- Failed sign-ins (and current-password checks) per account name and network, shared by
-- every portal on the database and kept across restarts. A row is claimed (next_at moved
-- a few seconds on) while its password is checked, so parallel guesses of one pair wait;
-- a failure counts and may set a growing delay, a success deletes the row.
create table sign_in_failures (
    account text not null check (length(account) between 1 and 64),
    network text not null check (length(network) between 1 and 64),
    failures integer not null check (failures >= 0),
    last_failure_at text not null,
    next_at text not null,
    primary key (account, network)
) strict;

create index sign_in_failures_network on sign_in_failures (network, last_failure_at);
