//! The staff e-mail's fixed strings in both languages. A string missing in either
//! language does not compile. `{…}` marks what is filled in.

use crate::lang::Lang;

/// Every fixed string of the daily digest.
#[derive(Debug)]
pub struct MailText {
    /// `{institution}`, `{day}`.
    pub digest_subject: &'static str,
    /// `{day}`.
    pub greeting: &'static str,
    pub yesterday_title: &'static str,
    /// `{reports}`, `{success}`, `{other}`, `{rate}`.
    pub yesterday: &'static str,
    pub no_reports: &'static str,
    pub errors_title: &'static str,
    /// `{n}`.
    pub error_results: &'static str,
    pub terms_title: &'static str,
    /// `{name}`, `{end}`, `{days}`.
    pub term_ending: &'static str,
    /// `{name}`, `{end}`.
    pub term_ended: &'static str,
    pub kms_title: &'static str,
    /// `{group}`, `{machines}`, `{threshold}`, `{needed}`.
    pub kms_under: &'static str,
    pub seats_title: &'static str,
    /// `{name}`, `{used}`, `{seats}`.
    pub seats_over: &'static str,
    pub passed_around_title: &'static str,
    /// `{n}`.
    pub passed_around: &'static str,
    pub all_well: &'static str,
    /// `{url}`.
    pub dashboard: &'static str,
    /// `{url}`.
    pub why: &'static str,
    // The page `/admin/mail`.
    pub page_title: &'static str,
    pub page_lead: &'static str,
    pub field_email: &'static str,
    pub field_email_hint: &'static str,
    pub field_lang: &'static str,
    pub field_digest: &'static str,
    pub field_digest_hint: &'static str,
    pub problem_email: &'static str,
    pub problem_lang: &'static str,
    pub saved: &'static str,
    pub mail_off: &'static str,
    /// `{n}`, `{error}`.
    pub undelivered: &'static str,
}

/// Traditional Chinese (Taiwan).
pub static ZH_TW: MailText = MailText {
    digest_subject: "{institution} 授權軟體入口：{day} 每日摘要",
    greeting: "以下是 {day} 的啟用情形，以及需要注意的事。",
    yesterday_title: "昨日啟用",
    yesterday: "回報 {reports} 筆：成功 {success}，未完全成功 {other}，成功率 {rate}。",
    no_reports: "沒有收到回報。",
    errors_title: "最常見的錯誤代碼",
    error_results: "{n} 次",
    terms_title: "授權期限",
    term_ending: "{name}：授權至 {end}，還有 {days} 天。",
    term_ended: "{name}：授權已於 {end} 到期。",
    kms_title: "KMS 主機門檻未達",
    kms_under: "{group}：30 天內 {machines} 台，門檻 {threshold} 台，還差 {needed} 台，KMS 主機還不會啟用。",
    seats_title: "超過授權數量",
    seats_over: "{name}：已啟用 {used} 台，授權 {seats} 套。",
    passed_around_title: "下載被轉傳",
    passed_around: "{n} 個下載的憑證在太多台電腦上使用，可在管理頁面撤銷。",
    all_well: "授權期限、KMS 門檻與授權數量都沒有需要注意的事。",
    dashboard: "統計儀表板：{url}",
    why: "您收到這封信，是因為您的帳號訂閱了每日摘要；可在 {url} 變更。",
    page_title: "電子郵件通知",
    page_lead: "每天早上把儀表板的重點寄給您：昨日的啟用與失敗、常見錯誤代碼、即將到期的授權（180、90、30 天前與到期時各一次）、KMS 門檻與授權數量。",
    field_email: "電子郵件地址",
    field_email_hint: "留空就不寄任何信。",
    field_lang: "信件語言",
    field_digest: "每天寄每日摘要給我",
    field_digest_hint: "取消勾選就不再收到每日摘要。",
    problem_email: "請輸入像 name@example.edu 的地址（最多 254 個字元），或留空。",
    problem_lang: "請選擇中文或英文。",
    saved: "已儲存。",
    mail_off: "這個入口網站還沒有設定寄信伺服器（設定檔的 [mail] smtp_url），所以目前不會寄出任何信。",
    undelivered: "有 {n} 封信還沒寄出，會再試；最後的錯誤：{error}",
};

/// English.
pub static EN: MailText = MailText {
    digest_subject: "{institution} licence portal: daily digest for {day}",
    greeting: "Here is how activation went on {day}, and what needs attention.",
    yesterday_title: "Yesterday's activations",
    yesterday: "{reports} reports: {success} succeeded, {other} did not fully succeed; success rate {rate}.",
    no_reports: "No reports arrived.",
    errors_title: "Most frequent error codes",
    error_results: "{n} times",
    terms_title: "Licence terms",
    term_ending: "{name}: licensed until {end}, {days} days left.",
    term_ended: "{name}: the licence ended on {end}.",
    kms_title: "KMS thresholds not reached",
    kms_under: "{group}: {machines} machines in 30 days, threshold {threshold}, {needed} more needed before the KMS host activates them.",
    seats_title: "Over the licensed count",
    seats_over: "{name}: {used} machines activated, {seats} seats licensed.",
    passed_around_title: "Downloads passed around",
    passed_around: "{n} downloads' tokens were used on too many PCs; they can be revoked on the admin pages.",
    all_well: "Nothing needs attention in licence terms, KMS thresholds or seat counts.",
    dashboard: "Dashboard: {url}",
    why: "You receive this because your account is subscribed to the daily digest; change that at {url}.",
    page_title: "E-mail notifications",
    page_lead: "Every morning, what matters on the dashboard: yesterday's activations and failures, frequent error codes, licences about to end (once each at 180, 90 and 30 days and at the end), KMS thresholds and seat counts.",
    field_email: "E-mail address",
    field_email_hint: "Leave it empty to receive no mail.",
    field_lang: "Language of the mail",
    field_digest: "Send me the daily digest",
    field_digest_hint: "Untick to stop receiving the daily digest.",
    problem_email: "Enter an address like name@example.edu (at most 254 characters), or leave it empty.",
    problem_lang: "Choose Chinese or English.",
    saved: "Saved.",
    mail_off: "This portal has no mail server set up yet (the configuration's [mail] smtp_url), so no mail is sent for now.",
    undelivered: "{n} messages are not delivered yet and will be tried again; the last error: {error}",
};

/// The strings in `lang`.
pub fn text(lang: Lang) -> &'static MailText {
    match lang {
        Lang::ZhTw => &ZH_TW,
        Lang::En => &EN,
    }
}

/// `template` with each `{name}` replaced by its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

/// What the dashboard and the mail page say of `messages` undelivered messages, if any.
pub fn undelivered(lang: Lang, messages: i64, last_error: Option<&str>) -> Option<String> {
    (messages > 0).then(|| {
        fill(
            text(lang).undelivered,
            &[
                ("n", &messages.to_string()),
                ("error", last_error.unwrap_or("—")),
            ],
        )
    })
}
