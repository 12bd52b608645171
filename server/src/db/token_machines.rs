//! The PCs each download token reported from, and its limit: a download is one PC's, so
//! its token is accepted from at most `limits.machines_per_download_token` of them
//! (migration 0014). Called by `reports::store_batch` inside its transaction, which every
//! portal on the database takes one at a time, so the limit holds across portals too.

use std::collections::{HashMap, HashSet};

use time::OffsetDateTime;

use super::{Tx, chunks, in_lists, values_list, with_tx};

/// A new report's sender, for a token with a machine limit.
#[derive(Clone, Copy, Debug)]
pub struct Sender<'a> {
    /// The download token's id.
    pub token_id: &'a str,
    /// The PC's id.
    pub machine_id: &'a str,
    /// How many PCs the token may report from.
    pub limit: u32,
    /// When the report arrived.
    pub at: OffsetDateTime,
}

/// Decides, in order, which `senders` are within their token's limit (a PC seen before
/// always is; a new one while the token has room), records the new PCs — refused ones
/// too, for the dashboard — and answers, per sender, whether it is accepted.
pub async fn admit(tx: &mut Tx, senders: &[Sender<'_>]) -> sqlx::Result<Vec<bool>> {
    if senders.is_empty() {
        return Ok(Vec::new());
    }
    let known = known_pairs(tx, senders).await?;
    let fresh_tokens: Vec<&str> = {
        let mut seen = HashSet::new();
        senders
            .iter()
            .filter(|s| !known.contains_key(&(s.token_id, s.machine_id)))
            .map(|s| s.token_id)
            .filter(|t| seen.insert(*t))
            .collect()
    };
    let mut used = machines_of(tx, &fresh_tokens).await?;
    let mut decided: HashMap<(&str, &str), bool> = HashMap::new();
    let mut new_pairs = Vec::new();
    let answers = senders
        .iter()
        .map(|s| {
            let pair = (s.token_id, s.machine_id);
            if let Some(accepted) = known.get(&pair).or_else(|| decided.get(&pair)) {
                return *accepted;
            }
            let count = used.entry(s.token_id).or_default();
            let accepted = count.0 < i64::from(s.limit);
            if accepted {
                count.0 += 1;
            } else {
                count.1 += 1;
            }
            decided.insert(pair, accepted);
            new_pairs.push((s, accepted));
            accepted
        })
        .collect();
    record(tx, &new_pairs).await?;
    for token in fresh_tokens {
        if let Some((machines, refused)) = used.get(token) {
            const SQL: &str =
                "update downloads set machines = $1, refused_machines = $2 where token_id = $3";
            with_tx!(&mut *tx, conn => sqlx::query(SQL)
                .bind(*machines).bind(*refused).bind(token)
                .execute(&mut *conn).await.map(|_| ()))?;
        }
    }
    Ok(answers)
}

/// The pairs among `senders` recorded before, with whether they were accepted.
async fn known_pairs<'a>(
    tx: &mut Tx,
    senders: &[Sender<'a>],
) -> sqlx::Result<HashMap<(&'a str, &'a str), bool>> {
    let mut seen = HashSet::new();
    let pairs: Vec<(&str, &str)> = senders
        .iter()
        .map(|s| (s.token_id, s.machine_id))
        .filter(|pair| seen.insert(*pair))
        .collect();
    let mut found: HashMap<String, HashMap<String, bool>> = HashMap::new();
    for chunk in chunks(&pairs) {
        let sql = format!(
            "select token_id, machine_id, accepted from token_machines
             where (token_id, machine_id) in (values {})",
            values_list(tx, 2, chunk.len())
        );
        let rows: Vec<(String, String, i32)> = with_tx!(&mut *tx, conn => {
            let mut query = sqlx::query_as(&sql);
            for (token, machine) in chunk {
                query = query.bind(*token).bind(*machine);
            }
            query.fetch_all(&mut *conn).await?
        });
        for (token, machine, accepted) in rows {
            found
                .entry(token)
                .or_default()
                .insert(machine, accepted == 1);
        }
    }
    Ok(pairs
        .into_iter()
        .filter_map(|(token, machine)| {
            let accepted = found.get(token)?.get(machine)?;
            Some(((token, machine), *accepted))
        })
        .collect())
}

/// Each token's accepted and refused PCs so far.
async fn machines_of<'a>(
    tx: &mut Tx,
    tokens: &[&'a str],
) -> sqlx::Result<HashMap<&'a str, (i64, i64)>> {
    let mut used = HashMap::new();
    for chunk in &in_lists(tokens) {
        let sql = format!(
            "select token_id, machines, refused_machines from downloads where token_id in {}",
            values_list(tx, chunk.len(), 1)
        );
        let rows: Vec<(String, i32, i32)> = with_tx!(&mut *tx, conn => {
            let mut query = sqlx::query_as(&sql);
            for token in chunk {
                query = query.bind(*token);
            }
            query.fetch_all(&mut *conn).await?
        });
        for (token, machines, refused) in rows {
            if let Some(t) = tokens.iter().find(|t| **t == token) {
                used.insert(*t, (i64::from(machines), i64::from(refused)));
            }
        }
    }
    Ok(used)
}

/// Records the PCs seen for the first time.
async fn record(tx: &mut Tx, pairs: &[(&Sender<'_>, bool)]) -> sqlx::Result<()> {
    for chunk in chunks(pairs) {
        let sql = format!(
            "insert into token_machines (token_id, machine_id, first_report_at, accepted) values {}",
            values_list(tx, 4, chunk.len())
        );
        with_tx!(&mut *tx, conn => {
            let mut query = sqlx::query(&sql);
            for (sender, accepted) in chunk {
                query = query
                    .bind(sender.token_id)
                    .bind(sender.machine_id)
                    .bind(sender.at)
                    .bind(i32::from(*accepted));
            }
            query.execute(&mut *conn).await?;
        });
    }
    Ok(())
}
