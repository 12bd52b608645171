-- The report and download counts again, per month (see server/src/db/counts.rs): a long
-- period on the dashboard sums its whole months here and only its partial months per day,
-- so a year costs about as much as two months. `month` is the month's first day.

create table monthly_outcomes (
    month date not null,
    product text not null,
    network text not null,
    outcome text not null,
    n_reports bigint not null,
    primary key (month, product, network, outcome)
);

create table monthly_errors (
    month date not null,
    product text not null,
    network text not null,
    error_code text not null,
    n_results bigint not null,
    primary key (month, product, network, error_code)
);

create table monthly_downloads (
    month date not null,
    product text not null,
    network text not null,
    n_downloads bigint not null,
    primary key (month, product, network)
);

insert into monthly_outcomes (month, product, network, outcome, n_reports)
select cast(date_trunc('month', day) as date), product, network, outcome, sum(n_reports)
from daily_outcomes group by 1, 2, 3, 4;

insert into monthly_errors (month, product, network, error_code, n_results)
select cast(date_trunc('month', day) as date), product, network, error_code, sum(n_results)
from daily_errors group by 1, 2, 3, 4;

insert into monthly_downloads (month, product, network, n_downloads)
select cast(date_trunc('month', day) as date), product, network, sum(n_downloads)
from daily_downloads group by 1, 2, 3;
