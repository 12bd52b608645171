//! The dashboard's sentences that carry numbers or identifiers, in both languages.

use crate::lang::Lang;

/// "2026-10-26 to 2026-11-24, 30 days (Asia/Taipei time)".
pub fn range_note(lang: Lang, from: &str, to: &str, days: i64, zone: &str) -> String {
    match lang {
        Lang::ZhTw => format!("{from} 至 {to}，共 {days} 天（{zone} 時間）。"),
        Lang::En => format!("{from} to {to}, {days} days ({zone} time)."),
    }
}

/// The plain answer for one KMS group.
pub fn kms_answer(lang: Lang, activating: bool, machines: i64, needed: i64) -> String {
    match (lang, activating) {
        (Lang::ZhTw, true) => format!("會啟用：已有 {machines} 台電腦，達到門檻。"),
        (Lang::ZhTw, false) => {
            format!("還不會啟用：目前 {machines} 台，還差 {needed} 台不同的電腦。")
        }
        (Lang::En, true) => format!("Yes: {machines} machines, at or over the threshold."),
        (Lang::En, false) => {
            format!("Not yet: {machines} machines; {needed} more distinct machines must ask first.")
        }
    }
}

/// A column's pointer text in the chart.
pub fn day_tooltip(lang: Lang, day: &str, success: i64, partial: i64, failed: i64) -> String {
    match lang {
        Lang::ZhTw => format!("{day}：成功 {success}、部分成功 {partial}、失敗或中止 {failed}"),
        Lang::En => {
            format!("{day}: {success} success, {partial} partial, {failed} failure or aborted")
        }
    }
}

/// The chart's description for screen readers.
pub fn chart_summary(lang: Lang, reports: i64, success: i64, partial: i64, failed: i64) -> String {
    match lang {
        Lang::ZhTw => format!(
            "共 {reports} 次回報：成功 {success}、部分成功 {partial}、失敗或中止 {failed}。每日數字在下方的表格。"
        ),
        Lang::En => format!(
            "{reports} reports: {success} success, {partial} partial, {failed} failure or aborted. The numbers per day are in the table that follows."
        ),
    }
}

/// "showing the latest 20 of 135".
pub fn latest_of(lang: Lang, shown: usize, total: i64) -> String {
    match lang {
        Lang::ZhTw => format!("顯示最新 {shown} 筆，共 {total} 筆。"),
        Lang::En => format!("The latest {shown} of {total}."),
    }
}

/// A preflight check's name (`kms_reachable`) as people read it.
pub fn check_label(lang: Lang, check: &str) -> String {
    let (zh, en) = match check {
        "elevated" => ("系統管理員權限", "Administrator rights"),
        "clock" => ("時鐘與時區", "Clock and time zone"),
        "kms_reachable" => ("連到 KMS 主機", "KMS host reachable"),
        "product_installed" => ("已安裝產品", "Product installed"),
        "conflicting_licences" => ("衝突的授權", "Conflicting licences"),
        other => (other, other),
    };
    lang.pick(zh, en).to_owned()
}

/// Days until a licence's last day, or how long ago it ended.
pub fn days_left(lang: Lang, days: i64) -> String {
    match (lang, days < 0) {
        (_, false) => days.to_string(),
        (Lang::ZhTw, true) => format!("{} 天前已到期", -days),
        (Lang::En, true) => format!("ended {} days ago", -days),
    }
}
