//! Failed sign-ins per account name and network: the throttle's state, in the database so
//! that every portal on it shares the count and a restart keeps it. The rules (how long
//! to wait after how many failures) are `admin::throttle`'s; this is only storage.

use time::OffsetDateTime;

use super::{Db, with_pool};

/// Claims the pair for one password check, unless it must wait: marks it busy until
/// `busy_until` (so parallel guesses of the pair wait too). `Err(next_at)` when it must
/// wait until then.
pub async fn claim(
    db: &Db,
    account: &str,
    network: &str,
    now: OffsetDateTime,
    busy_until: OffsetDateTime,
) -> sqlx::Result<Result<(), OffsetDateTime>> {
    const CLAIM: &str = "
        insert into sign_in_failures (account, network, failures, last_failure_at, next_at)
        values ($1, $2, 0, $3, $4)
        on conflict (account, network) do update set next_at = $4
        where sign_in_failures.next_at <= $3";
    const NEXT: &str = "select next_at from sign_in_failures where account = $1 and network = $2";
    let claimed = with_pool!(db, pool => sqlx::query(CLAIM)
        .bind(account).bind(network).bind(now).bind(busy_until)
        .execute(pool).await.map(|r| r.rows_affected()))?;
    if claimed > 0 {
        return Ok(Ok(()));
    }
    let next: Option<OffsetDateTime> = with_pool!(db, pool => sqlx::query_scalar(NEXT)
        .bind(account).bind(network).fetch_optional(pool).await)?;
    // Deleted between the two statements (a success elsewhere): no wait.
    Ok(next.map_or(Ok(()), Err))
}

/// Counts one failure of a claimed pair (the first after `forget_before` starts a new
/// count); answers the pair's failures now.
pub async fn fail(
    db: &Db,
    account: &str,
    network: &str,
    now: OffsetDateTime,
    forget_before: OffsetDateTime,
) -> sqlx::Result<i64> {
    const FAIL: &str = "
        update sign_in_failures
        set failures = case when last_failure_at < $4 or failures = 0 then 1
                            else failures + 1 end,
            last_failure_at = $3
        where account = $1 and network = $2
        returning failures";
    let failures: Option<i32> = with_pool!(db, pool => sqlx::query_scalar(FAIL)
        .bind(account).bind(network).bind(now).bind(forget_before)
        .fetch_optional(pool).await)?;
    Ok(failures.map_or(1, i64::from))
}

/// Sets when the pair may try again.
pub async fn wait_until(
    db: &Db,
    account: &str,
    network: &str,
    next_at: OffsetDateTime,
) -> sqlx::Result<()> {
    const SQL: &str =
        "update sign_in_failures set next_at = $3 where account = $1 and network = $2";
    with_pool!(db, pool => sqlx::query(SQL)
        .bind(account).bind(network).bind(next_at)
        .execute(pool).await.map(|_| ()))
}

/// Forgets the pair's failures: its owner got the password right.
pub async fn succeed(db: &Db, account: &str, network: &str) -> sqlx::Result<()> {
    const SQL: &str = "delete from sign_in_failures where account = $1 and network = $2";
    with_pool!(db, pool => sqlx::query(SQL)
        .bind(account).bind(network)
        .execute(pool).await.map(|_| ()))
}

/// Failures from `network`, for any account, since `since`.
pub async fn network_failures(db: &Db, network: &str, since: OffsetDateTime) -> sqlx::Result<i64> {
    const SQL: &str = "
        select coalesce(sum(failures), 0) from sign_in_failures
        where network = $1 and last_failure_at >= $2";
    let sum: i64 = with_pool!(db, pool => sqlx::query_scalar::<_, i64>(SQL)
        .bind(network).bind(since).fetch_one(pool).await)?;
    Ok(sum)
}

/// Deletes the pairs whose failures are forgotten and that wait for nothing; answers how
/// many.
pub async fn sweep(
    db: &Db,
    now: OffsetDateTime,
    forget_before: OffsetDateTime,
) -> sqlx::Result<u64> {
    const SQL: &str = "delete from sign_in_failures where last_failure_at < $2 and next_at <= $1";
    with_pool!(db, pool => sqlx::query(SQL)
        .bind(now).bind(forget_before)
        .execute(pool).await.map(|r| r.rows_affected()))
}
