-- The report and download counts again, per month (see server/src/db/counts.rs): a long
-- period on the dashboard sums its whole months here and only its partial months per day,
-- so a year costs about as much as two months. `month` is the month's first day.

create table monthly_outcomes (
    month text not null,
    product text not null,
    network text not null,
    outcome text not null,
    n_reports integer not null,
    primary key (month, product, network, outcome)
) strict;

create table monthly_errors (
    month text not null,
    product text not null,
    network text not null,
    error_code text not null,
    n_results integer not null,
    primary key (month, product, network, error_code)
) strict;

create table monthly_downloads (
    month text not null,
    product text not null,
    network text not null,
    n_downloads integer not null,
    primary key (month, product, network)
) strict;

-- Days are stored as `YYYY-MM-DD`.
insert into monthly_outcomes (month, product, network, outcome, n_reports)
select substr(day, 1, 8) || '01', product, network, outcome, sum(n_reports)
from daily_outcomes group by 1, 2, 3, 4;

insert into monthly_errors (month, product, network, error_code, n_results)
select substr(day, 1, 8) || '01', product, network, error_code, sum(n_results)
from daily_errors group by 1, 2, 3, 4;

insert into monthly_downloads (month, product, network, n_downloads)
select substr(day, 1, 8) || '01', product, network, sum(n_downloads)
from daily_downloads group by 1, 2, 3;
