-- The PCs each download token reported from, so that one download cannot stand in for
-- thousands of made-up machines: a token is accepted from at most
-- limits.machines_per_download_token PCs (deployment tokens, meant for many, have no
-- rows here). A PC beyond the limit is refused and kept with accepted = 0, which the
-- dashboard lists as a zip passed around. downloads.machines and refused_machines count
-- them, so the check reads one row per token, not every PC it has.
create table token_machines (
    token_id text not null,
    machine_id text not null,
    first_report_at text not null,
    accepted integer not null check (accepted in (0, 1)),
    primary key (token_id, machine_id)
) strict;

alter table downloads add column machines integer not null default 0;
alter table downloads add column refused_machines integer not null default 0;
create index downloads_passed_around on downloads (created_at) where refused_machines > 0;
create index downloads_network on downloads (network, created_at);

-- The PCs that reported with each download token so far, accepted whatever their number.
insert into token_machines (token_id, machine_id, first_report_at, accepted)
select r.token_id, r.machine_id, min(r.received_at), 1
from reports r join downloads d on d.token_id = r.token_id
group by r.token_id, r.machine_id;

update downloads set machines =
    (select count(*) from token_machines t where t.token_id = downloads.token_id);
