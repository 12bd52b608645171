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
    /// `{institution}`, `{n}`, `{minutes}`.
    pub failures_subject: &'static str,
    /// `{n}`, `{runs}`, `{percent}`, `{minutes}`.
    pub failures_body: &'static str,
    /// `{institution}`, `{code}`, `{network}`.
    pub code_subject: &'static str,
    /// `{code}`, `{network}`, `{n}`, `{minutes}`, `{meaning}`.
    pub code_body: &'static str,
    /// `{url}`.
    pub code_page: &'static str,
    /// `{institution}`, `{group}`.
    pub kms_subject: &'static str,
    /// `{group}`, `{machines}`, `{threshold}`.
    pub kms_body: &'static str,
    /// `{url}`, `{hours}`.
    pub alert_why: &'static str,
    // The page `/admin/mail`.
    pub page_title: &'static str,
    pub page_lead: &'static str,
    pub field_email: &'static str,
    pub field_email_hint: &'static str,
    pub field_lang: &'static str,
    pub field_digest: &'static str,
    pub field_digest_hint: &'static str,
    pub field_alerts: &'static str,
    pub field_alerts_hint: &'static str,
    pub problem_email: &'static str,
    pub problem_lang: &'static str,
    pub saved: &'static str,
    pub accounts_title: &'static str,
    pub accounts_lead: &'static str,
    /// `{name}`.
    pub account_title: &'static str,
    pub col_account: &'static str,
    pub col_role: &'static str,
    pub col_sign_in: &'static str,
    pub col_email: &'static str,
    pub col_receives: &'static str,
    pub sign_in_campus: &'static str,
    pub sign_in_password: &'static str,
    pub receives_digest: &'static str,
    pub receives_alerts: &'static str,
    pub receives_nothing: &'static str,
    pub edit: &'static str,
    pub calendar_title: &'static str,
    pub calendar_lead: &'static str,
    pub calendar_link: &'static str,
    pub calendar_create: &'static str,
    pub calendar_renew: &'static str,
    pub calendar_renew_note: &'static str,
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
    failures_subject: "{institution} 授權軟體入口：最近 {minutes} 分鐘有 {n} 次啟用未成功",
    failures_body: "最近 {minutes} 分鐘收到 {runs} 次啟用，其中 {n} 次未完全成功（{percent}%）。",
    code_subject: "{institution} 授權軟體入口：{network} 頻繁出現 {code}",
    code_body: "最近 {minutes} 分鐘，{network} 的電腦回報 {code} 共 {n} 次。{meaning}",
    code_page: "原因與處理方式：{url}",
    kms_subject: "{institution} 授權軟體入口：{group} 低於 KMS 門檻",
    kms_body: "KMS 主機 30 天內只見到 {machines} 台 {group}，低於門檻 {threshold} 台：新電腦暫時無法啟用，已啟用的電腦到期後也無法續約，直到有足夠的電腦向它要求啟用。",
    alert_why: "您收到這封信，是因為您的帳號訂閱了即時警示；同樣的警示每 {hours} 小時最多一封。可在 {url} 變更。",
    page_title: "電子郵件通知",
    page_lead: "每天早上把儀表板的重點寄給您，出狀況時立即通知：昨日的啟用與失敗、常見錯誤代碼、即將到期的授權（180、90、30 天前與到期時各一次）、KMS 門檻與授權數量。",
    field_email: "電子郵件地址",
    field_email_hint: "留空就不寄任何信。",
    field_lang: "信件語言",
    field_digest: "每天寄每日摘要給我",
    field_digest_hint: "取消勾選就不再收到每日摘要。",
    field_alerts: "發生狀況時立即寄警示給我",
    field_alerts_hint: "失敗突然增加、某個網路頻繁出現同一個錯誤代碼、KMS 主機低於門檻時。",
    problem_email: "請輸入像 name@example.edu 的地址（最多 254 個字元），或留空。",
    problem_lang: "請選擇中文或英文。",
    saved: "已儲存。",
    accounts_title: "帳號與通知",
    accounts_lead: "每個管理人員帳號的電子郵件、語言與訂閱的通知。每個人也可以在「電子郵件通知」自己設定。",
    account_title: "{name} 的電子郵件通知",
    col_account: "帳號",
    col_role: "角色",
    col_sign_in: "登入方式",
    col_email: "電子郵件",
    col_receives: "收到",
    sign_in_campus: "校園帳號",
    sign_in_password: "密碼",
    receives_digest: "每日摘要",
    receives_alerts: "即時警示",
    receives_nothing: "不寄信",
    edit: "設定",
    calendar_title: "授權行事曆",
    calendar_lead: "把每項授權的開始與到期日加到 Outlook、Google 日曆或 Thunderbird：在行事曆程式選「從網址訂閱」，貼上下面的連結。連結就是密碼，請勿分享。",
    calendar_link: "訂閱連結",
    calendar_create: "建立行事曆連結",
    calendar_renew: "換一個新連結",
    calendar_renew_note: "換新連結後，舊的連結立即失效。",
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
    failures_subject: "{institution} licence portal: {n} activations did not succeed in the last {minutes} minutes",
    failures_body: "In the last {minutes} minutes {runs} activations arrived, and {n} of them did not fully succeed ({percent}%).",
    code_subject: "{institution} licence portal: {code} keeps coming from {network}",
    code_body: "In the last {minutes} minutes PCs on {network} reported {code} {n} times. {meaning}",
    code_page: "Cause and remedy: {url}",
    kms_subject: "{institution} licence portal: {group} under the KMS threshold",
    kms_body: "The KMS host saw only {machines} {group} machines in 30 days, under its threshold of {threshold}: new PCs cannot activate, and activated ones cannot renew when their activation runs out, until enough machines ask it again.",
    alert_why: "You receive this because your account is subscribed to immediate alerts; the same alert comes at most once every {hours} hours. Change that at {url}.",
    page_title: "E-mail notifications",
    page_lead: "Every morning what matters on the dashboard, and at once when something goes wrong: yesterday's activations and failures, frequent error codes, licences about to end (once each at 180, 90 and 30 days and at the end), KMS thresholds and seat counts.",
    field_email: "E-mail address",
    field_email_hint: "Leave it empty to receive no mail.",
    field_lang: "Language of the mail",
    field_digest: "Send me the daily digest",
    field_digest_hint: "Untick to stop receiving the daily digest.",
    field_alerts: "Alert me at once when something goes wrong",
    field_alerts_hint: "When failures spike, one network keeps reporting the same error code, or the KMS host drops under its threshold.",
    problem_email: "Enter an address like name@example.edu (at most 254 characters), or leave it empty.",
    problem_lang: "Choose Chinese or English.",
    saved: "Saved.",
    accounts_title: "Accounts and notifications",
    accounts_lead: "Each staff account's e-mail address, language and the notifications it receives. Everyone can also set their own under E-mail notifications.",
    account_title: "E-mail notifications of {name}",
    col_account: "Account",
    col_role: "Role",
    col_sign_in: "Signs in with",
    col_email: "E-mail",
    col_receives: "Receives",
    sign_in_campus: "campus account",
    sign_in_password: "password",
    receives_digest: "daily digest",
    receives_alerts: "alerts",
    receives_nothing: "no mail",
    edit: "Set",
    calendar_title: "Licence calendar",
    calendar_lead: "Every licence's first and last day in Outlook, Google Calendar or Thunderbird: choose \"subscribe from a URL\" in your calendar program and paste the link below. The link is a password: do not share it.",
    calendar_link: "Subscription link",
    calendar_create: "Create a calendar link",
    calendar_renew: "Make a new link",
    calendar_renew_note: "The old link stops working at once.",
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
