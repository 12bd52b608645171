-- Machines counted by a day of theirs (see server/src/db/machine_days.rs): the dashboard's
-- seats, lapsing licences and KMS thresholds become sums over a few hundred rows.

create table success_days (
    product text not null,
    network text not null,
    day date not null,
    n_machines bigint not null,
    primary key (product, network, day)
);

create table kms_seen_days (
    kms_group text not null,
    day date not null,
    n_machines bigint not null,
    primary key (kms_group, day)
);

insert into success_days (product, network, day, n_machines)
select product, network, cast(last_success at time zone 'UTC' as date), count(*)
from machine_products where last_success is not null group by 1, 2, 3;

insert into kms_seen_days (kms_group, day, n_machines)
select kms_group, day, count(*) from (
    select m.machine_id,
           case when v.family = 'windows' then 'windows' else 'office' end as kms_group,
           cast(max(m.last_seen) at time zone 'UTC' as date) as day
    from machine_products m join versions v on v.slug = m.product
    where v.family in ('windows', 'office', 'project', 'visio')
    group by 1, 2
) g group by 1, 2;
