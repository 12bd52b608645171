//! The counted roll-ups, each kept twice: per day (`daily_*`) and per month (`monthly_*`).
//!
//! A count is keyed by a day and a few text columns (version, network, and an outcome or
//! an error code). Writers add a batch's counts with [`Counted::add`], which upserts the
//! daily rows and the monthly rows in the caller's transaction. Readers ask
//! [`Counted::spanning`] for the rows of a period: its whole months from the monthly
//! table, its partial months from the daily one, so a year sums about as many rows as
//! two months (`db::dashboard`).

use std::collections::BTreeMap;

use time::Date;

use super::{Tx, chunks, values_list, with_tx};

/// A counted roll-up with `N` key columns after its day.
pub struct Counted<const N: usize> {
    /// The tables are `daily_{name}` and `monthly_{name}`.
    name: &'static str,
    /// The key columns after the day (or month).
    keys: [&'static str; N],
    /// The counted column.
    count: &'static str,
}

/// Reports per day × version × network × outcome.
pub const OUTCOMES: Counted<3> = Counted {
    name: "outcomes",
    keys: ["product", "network", "outcome"],
    count: "n_reports",
};

/// Failed product results and failed checks per day × version × network × error code.
pub const ERRORS: Counted<3> = Counted {
    name: "errors",
    keys: ["product", "network", "error_code"],
    count: "n_results",
};

/// Downloads per day × version × network.
pub const DOWNLOADS: Counted<2> = Counted {
    name: "downloads",
    keys: ["product", "network"],
    count: "n_downloads",
};

/// Counts to add, by day and key.
pub type Counts<'a, const N: usize> = BTreeMap<(Date, [&'a str; N]), i64>;

impl<const N: usize> Counted<N> {
    /// Adds `counts` to the daily and the monthly table, a multi-row upsert per table (in
    /// key order, so writers that share rows, such as the download and the report writers
    /// of two portals on one PostgreSQL, lock them in the same order).
    pub async fn add(&self, tx: &mut Tx, counts: &Counts<'_, N>) -> sqlx::Result<()> {
        let mut monthly: Counts<'_, N> = BTreeMap::new();
        for ((day, keys), n) in counts {
            *monthly.entry((first_of_month(*day), *keys)).or_default() += n;
        }
        self.upsert(tx, "daily", "day", counts).await?;
        self.upsert(tx, "monthly", "month", &monthly).await
    }

    async fn upsert(
        &self,
        tx: &mut Tx,
        grain: &str,
        period: &str,
        counts: &Counts<'_, N>,
    ) -> sqlx::Result<()> {
        let (name, count) = (self.name, self.count);
        let keys = self.keys.join(", ");
        let rows: Vec<_> = counts.iter().collect();
        for chunk in chunks(&rows) {
            let sql = format!(
                "insert into {grain}_{name} ({period}, {keys}, {count}) values {}
                 on conflict ({period}, {keys})
                 do update set {count} = {grain}_{name}.{count} + excluded.{count}",
                values_list(tx, N + 2, chunk.len())
            );
            with_tx!(&mut *tx, conn => {
                let mut query = sqlx::query(&sql);
                for ((day, key), n) in chunk {
                    query = query.bind(day);
                    for column in key {
                        query = query.bind(*column);
                    }
                    query = query.bind(n);
                }
                query.execute(&mut *conn).await?;
            });
        }
        Ok(())
    }

    /// A subquery naming the rows of a [`Span`]'s days: `select {columns}, {count} as n`
    /// from the monthly table for the span's whole months and from the daily one for the
    /// rest. `columns` is given the period's column (`day`, or `month`, a month's first
    /// day); `filter` (SQL starting with `and`) applies to both tables. The span's bounds
    /// are parameters `$1` to `$4`, bound by [`Span::bind`].
    pub fn spanning(&self, columns: impl Fn(&str) -> String, filter: &str) -> String {
        let (name, count) = (self.name, self.count);
        let (days, months) = (columns("day"), columns("month"));
        format!(
            "(select {days}, {count} as n from daily_{name}
              where day >= $1 and day < $2 {filter}
              union all
              select {months}, {count} as n from monthly_{name}
              where month >= $2 and month < $3 {filter}
              union all
              select {days}, {count} as n from daily_{name}
              where day >= $3 and day < $4 {filter})"
        )
    }
}

/// The days `from..=to` cut into a head of single days, whole months, and a tail of
/// single days: `[head, months, tail, end)` with each part from one bound to the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    head: Date,
    months: Date,
    tail: Date,
    end: Date,
}

impl Span {
    /// The days `from..=to`, whole months counted per month.
    pub fn new(from: Date, to: Date) -> Span {
        let end = to.next_day().unwrap_or(to);
        let months = if from.day() == 1 {
            from
        } else {
            next_month(from)
        };
        let tail = first_of_month(end);
        if months < tail {
            Span {
                head: from,
                months,
                tail,
                end,
            }
        } else {
            Span::days(from, to)
        }
    }

    /// The days `from..=to`, every one counted per day.
    pub fn days(from: Date, to: Date) -> Span {
        let end = to.next_day().unwrap_or(to);
        Span {
            head: from,
            months: end,
            tail: end,
            end,
        }
    }

    /// Binds `$1` to `$4` of [`Counted::spanning`].
    pub fn bind<'q, DB, O>(
        self,
        query: sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments<'q>>,
    ) -> sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments<'q>>
    where
        DB: sqlx::Database,
        Date: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        query
            .bind(self.head)
            .bind(self.months)
            .bind(self.tail)
            .bind(self.end)
    }
}

/// The first day of `day`'s month.
pub fn first_of_month(day: Date) -> Date {
    day.replace_day(1).unwrap_or(day)
}

/// The first day of the month after `day`'s.
fn next_month(day: Date) -> Date {
    let first = first_of_month(day);
    let days = i64::from(first.month().length(first.year()));
    first
        .checked_add(time::Duration::days(days))
        .unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn a_year_is_a_head_whole_months_and_a_tail() {
        let span = Span::new(date!(2025 - 11 - 25), date!(2026 - 11 - 24));
        assert_eq!(
            span,
            Span {
                head: date!(2025 - 11 - 25),
                months: date!(2025 - 12 - 01),
                tail: date!(2026 - 11 - 01),
                end: date!(2026 - 11 - 25),
            }
        );
    }

    #[test]
    fn whole_months_at_either_end_leave_no_single_days() {
        let span = Span::new(date!(2026 - 01 - 01), date!(2026 - 12 - 31));
        assert_eq!(span.head, span.months);
        assert_eq!(span.months, date!(2026 - 01 - 01));
        assert_eq!(span.tail, span.end);
        assert_eq!(span.end, date!(2027 - 01 - 01));
    }

    #[test]
    fn a_period_without_a_whole_month_is_all_days() {
        let (from, to) = (date!(2026 - 02 - 10), date!(2026 - 03 - 20));
        assert_eq!(Span::new(from, to), Span::days(from, to));
        let (from, to) = (date!(2024 - 02 - 02), date!(2024 - 02 - 29));
        assert_eq!(Span::new(from, to), Span::days(from, to));
        assert_eq!(
            Span::new(date!(2024 - 02 - 01), date!(2024 - 02 - 29)).months,
            date!(2024 - 02 - 01)
        );
    }

    #[test]
    fn next_month_crosses_years_and_short_months() {
        assert_eq!(next_month(date!(2026 - 12 - 31)), date!(2027 - 01 - 01));
        assert_eq!(next_month(date!(2026 - 01 - 31)), date!(2026 - 02 - 01));
    }
}
