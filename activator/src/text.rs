//! What the activator says, in both languages.
//!
//! One struct, one `static` per language, so a sentence missing in either language does
//! not compile. Sentences with values are `{}`-free: the flow joins parts itself.
//! The markers are ASCII so they show on every Windows console font.

use protocol::config::Language;

/// Every fixed sentence of the console.
#[derive(Debug)]
pub struct Text {
    /// Chinese punctuation: full-width parentheses and colons.
    pub full_width: bool,
    pub title: &'static str,
    pub kms_host: &'static str,
    pub section_checks: &'static str,
    pub section_activation: &'static str,
    pub section_results: &'static str,
    pub section_status: &'static str,
    pub elevated_ok: &'static str,
    pub elevated_fail: &'static str,
    pub clock_ok: &'static str,
    pub clock_skewed: &'static str,
    pub clock_wrong: &'static str,
    pub clock_unknown: &'static str,
    pub time_zone: &'static str,
    pub skew_before: &'static str,
    pub skew_after: &'static str,
    pub kms_ok: &'static str,
    pub kms_fail: &'static str,
    pub office_found: &'static str,
    pub office_missing: &'static str,
    pub office_other_version: &'static str,
    pub office_version_mismatch: &'static str,
    pub windows_found: &'static str,
    pub windows_wrong_edition: &'static str,
    pub windows_wrong_version: &'static str,
    pub windows_script_missing: &'static str,
    pub windows_evaluation: &'static str,
    pub windows_upgrade_offered: &'static str,
    pub covers: &'static str,
    pub installed: &'static str,
    pub office_nothing_installed: &'static str,
    pub conflicts_separate: &'static str,
    pub licence_ended: &'static str,
    pub upgrade_question: &'static str,
    pub upgrade_prompt: &'static str,
    pub upgrade_declined: &'static str,
    pub step_upgrade: &'static str,
    pub conflicts_none: &'static str,
    pub conflicts_found: &'static str,
    pub aborted: &'static str,
    pub step_set_host: &'static str,
    pub step_set_port: &'static str,
    pub step_install_key: &'static str,
    pub step_activate: &'static str,
    pub step_done: &'static str,
    pub step_failed: &'static str,
    pub activated: &'static str,
    pub failed: &'static str,
    pub key_ends: &'static str,
    pub more_at: &'static str,
    pub all_ok: &'static str,
    pub some_ok: &'static str,
    pub none_ok: &'static str,
    pub nothing_to_activate: &'static str,
    pub renewal: &'static str,
    pub reported: &'static str,
    pub report_kept: &'static str,
    pub report_rejected: &'static str,
    pub spool_sent: &'static str,
    pub dry_run_plan: &'static str,
    pub dry_run_nothing_changed: &'static str,
    pub status_none: &'static str,
    pub licensed: &'static str,
    pub not_licensed: &'static str,
    pub days_left: &'static str,
    pub schedule_question: &'static str,
    pub schedule_declined: &'static str,
    pub schedule_done: &'static str,
    pub schedule_failed: &'static str,
    pub press_any_key: &'static str,
    pub help_desk: &'static str,
    pub config_missing: &'static str,
    pub config_invalid: &'static str,
    pub report_invalid: &'static str,
}

/// Traditional Chinese (Taiwan).
pub static ZH_TW: Text = Text {
    full_width: true,
    title: "校園授權軟體啟用程式",
    kms_host: "學校 KMS 主機",
    section_checks: "檢查電腦",
    section_activation: "啟用",
    section_results: "結果",
    section_status: "目前的授權狀態",
    elevated_ok: "以系統管理員身分執行",
    elevated_fail: "沒有以系統管理員身分執行。請關閉這個視窗，在 activator.exe 上按滑鼠右鍵，選「以系統管理員身分執行」。",
    clock_ok: "電腦的日期、時間與時區正確",
    clock_skewed: "電腦時鐘有些偏差，仍可嘗試啟用；建議到「設定 > 時間與語言」開啟自動設定時間。",
    clock_wrong: "電腦的日期、時間或時區錯誤，KMS 主機會拒絕啟用。請到「設定 > 時間與語言」修正日期、時間，並把時區設為「(UTC+08:00) 台北」，然後再執行一次。",
    clock_unknown: "無法向入口網站確認時間（連不上入口網站），略過這項檢查。",
    time_zone: "時區",
    skew_before: "與入口網站的時鐘相差 ",
    skew_after: " 秒",
    kms_ok: "可以連線到學校的 KMS 主機",
    kms_fail: "連不到學校的 KMS 主機。啟用必須在校內網路進行；在校外請先連上學校 VPN，再執行一次。如果在校內，可能是防火牆或防毒軟體擋住了 TCP 連接埠。",
    office_found: "找到 Office 的啟用指令碼",
    office_missing: "這台電腦找不到這個版本的 Office（ospp.vbs）。請先安裝學校提供的 Office，再執行啟用程式。",
    office_other_version: "這台電腦安裝的是另一個版本的 Office，與下載的啟用程式不符。請回到入口網站下載符合的版本：",
    office_version_mismatch: "這台電腦沒有以大量授權版安裝這個下載涵蓋的產品，所以無法啟用。請回到入口網站下載符合已安裝版本的啟用程式，或先安裝學校提供的版本。這個下載涵蓋：",
    windows_found: "Windows 版本符合",
    windows_wrong_edition: "學校授權不涵蓋這台電腦的 Windows 版本，所以無法用學校的 KMS 主機啟用。目前的版本：",
    windows_wrong_version: "這台電腦的 Windows 與下載的啟用程式不符。請回到入口網站下載符合的版本。目前的版本：",
    windows_script_missing: "這台電腦找不到 Windows 的啟用指令碼",
    windows_evaluation: "這台電腦的 Windows 是評估版。評估版無法用 KMS 啟用，也不能用金鑰轉換；請改裝學校提供的正式版本。",
    windows_upgrade_offered: "學校授權涵蓋把這台電腦的 Windows 升級版本。目前的版本：",
    covers: "這個下載涵蓋",
    installed: "已安裝",
    office_nothing_installed: "沒有任何 Office 授權",
    conflicts_separate: "電腦上另有單獨授權的產品，啟用程式不會變更它們：",
    licence_ended: "學校的這項授權已到期（合約可能已續約；不確定時請洽詢資訊單位）。授權截止日：",
    upgrade_question: "要把 Windows 升級為學校授權的版本嗎？升級會保留檔案與程式，可能需要重新開機。升級後的版本：",
    upgrade_prompt: "輸入 Y 並按 Enter 升級，直接按 Enter 則不升級：",
    upgrade_declined: "沒有升級 Windows，所以沒有進行啟用。",
    step_upgrade: "安裝授權版本的金鑰，升級 Windows 版本",
    conflicts_none: "沒有會妨礙啟用的其他 Office 授權",
    conflicts_found: "電腦上還有試用版、零售版或 Microsoft 365 訂閱版的 Office 授權，會讓學校授權無法啟用。請先用微軟的 Office 移除工具把它們移除乾淨，再執行一次。找到：",
    aborted: "上面的問題解決之前無法啟用，所以沒有進行啟用。",
    step_set_host: "設定 KMS 主機",
    step_set_port: "設定連接埠",
    step_install_key: "安裝 KMS 用戶端金鑰（原本的金鑰不是大量授權金鑰）",
    step_activate: "啟用中，可能需要一分鐘……",
    step_done: "完成",
    step_failed: "失敗",
    activated: "啟用成功",
    failed: "啟用失敗",
    key_ends: "金鑰末五碼",
    more_at: "詳細說明與解決方法",
    all_ok: "全部啟用成功！",
    some_ok: "部分產品啟用成功，部分失敗。請依上面的說明處理失敗的產品。",
    none_ok: "啟用沒有成功。請依上面的說明處理後再執行一次。",
    nothing_to_activate: "沒有找到可以啟用的產品金鑰。",
    renewal: "啟用有效 180 天；電腦在校內或連上 VPN 時，每 7 天會自動延長。",
    reported: "已把結果回報給入口網站。",
    report_kept: "暫時無法回報結果給入口網站，已先存在這台電腦上，下次執行時會再送出。",
    report_rejected: "入口網站拒收這次的結果回報",
    spool_sent: "已補送先前未送出的結果回報",
    dry_run_plan: "試跑模式：以下是會執行的指令（不會變更任何設定）。",
    dry_run_nothing_changed: "試跑結束，沒有變更任何設定，也沒有回報。",
    status_none: "沒有找到任何授權資訊。",
    licensed: "已啟用",
    not_licensed: "未啟用",
    days_left: "天後需要續期",
    schedule_question: "要每週自動檢查一次授權狀態並回報給入口網站嗎？（以系統身分建立 Windows 排程工作，不會變更任何設定）",
    schedule_declined: "沒有建立排程工作。",
    schedule_done: "已建立每週檢查授權狀態的排程工作。",
    schedule_failed: "無法建立排程工作（需要系統管理員權限）。",
    press_any_key: "按任意鍵結束……",
    help_desk: "需要協助請聯絡學校資訊單位，並提供上面的訊息。",
    config_missing: "找不到設定檔 activator.toml。請從入口網站重新下載完整的壓縮檔，解壓縮後再執行 activator.exe。找不到的檔案：",
    config_invalid: "設定檔 activator.toml 有誤，請從入口網站重新下載。問題：",
    report_invalid: "這次的結果無法整理成回報（程式錯誤），沒有送出：",
};

/// English.
pub static EN: Text = Text {
    full_width: false,
    title: "Campus software activator",
    kms_host: "Campus KMS host",
    section_checks: "Checking this PC",
    section_activation: "Activating",
    section_results: "Results",
    section_status: "Current licence state",
    elevated_ok: "Running as administrator",
    elevated_fail: "Not running as administrator. Close this window, right-click activator.exe and choose \"Run as administrator\".",
    clock_ok: "The PC's date, time and time zone are right",
    clock_skewed: "The PC's clock is somewhat off; activation may still work. Turn on \"Set time automatically\" in Settings > Time & language.",
    clock_wrong: "The PC's date, time or time zone is wrong, so the KMS host will refuse it. Fix the date and time in Settings > Time & language, set the time zone to \"(UTC+08:00) Taipei\", and run this again.",
    clock_unknown: "Could not check the time against the portal (the portal is unreachable); skipping this check.",
    time_zone: "time zone",
    skew_before: "",
    skew_after: " s from the portal's clock",
    kms_ok: "The campus KMS host answers",
    kms_fail: "Cannot reach the campus KMS host. Activation works only on the campus network; off campus, connect to the campus VPN first and run this again. On campus, a firewall or antivirus may be blocking the TCP port.",
    office_found: "Found Office's activation script",
    office_missing: "This version of Office (ospp.vbs) is not installed on this PC. Install the campus Office first, then run the activator.",
    office_other_version: "This PC has a different version of Office from the one this activator is for. Download the matching activator from the portal:",
    office_version_mismatch: "None of the products this download covers is installed as a volume edition on this PC, so nothing can be activated. Download the activator for the version you have from the portal, or install the campus version first. This download covers:",
    windows_found: "The Windows edition matches",
    windows_wrong_edition: "The campus licence does not cover this PC's Windows edition, so the campus KMS host cannot activate it. This PC runs:",
    windows_wrong_version: "This PC's Windows version does not match this activator. Download the matching activator from the portal. This PC runs:",
    windows_script_missing: "Windows' activation script is missing on this PC",
    windows_evaluation: "This PC runs an Evaluation edition of Windows. KMS cannot activate an Evaluation edition, nor can a key convert it; install the campus edition instead.",
    windows_upgrade_offered: "The campus licence covers upgrading this PC's Windows edition. This PC runs:",
    covers: "this download covers",
    installed: "installed:",
    office_nothing_installed: "no Office licence",
    conflicts_separate: "Products licensed separately are on this PC; the activator leaves them alone:",
    licence_ended: "The campus licence for this product has ended (it may have been renewed; if unsure, ask the IT office). It ended on",
    upgrade_question: "Upgrade Windows to the edition the campus licence covers? Your files and programs stay; Windows may restart. The new edition:",
    upgrade_prompt: "Type Y and press Enter to upgrade, or just press Enter not to:",
    upgrade_declined: "Windows was not upgraded, so activation was not attempted.",
    step_upgrade: "Installing the covered edition's key, which upgrades Windows",
    conflicts_none: "No other Office licence is in the way",
    conflicts_found: "This PC also has trial, retail or Microsoft 365 subscription Office licences, which stop the campus licence from activating. Remove them with Microsoft's Office uninstall tool first, then run this again. Found:",
    aborted: "Activation was not attempted, because it cannot succeed until the problem above is fixed.",
    step_set_host: "Setting the KMS host",
    step_set_port: "Setting the port",
    step_install_key: "Installing the KMS client setup key (the installed key is not a volume key)",
    step_activate: "Activating; this can take a minute…",
    step_done: "done",
    step_failed: "failed",
    activated: "activated",
    failed: "not activated",
    key_ends: "key ends in",
    more_at: "What it means and what to do",
    all_ok: "Everything is activated!",
    some_ok: "Some products were activated and some were not. Follow the advice above for the ones that failed.",
    none_ok: "Activation did not succeed. Follow the advice above, then run this again.",
    nothing_to_activate: "No product key to activate was found.",
    renewal: "Activation lasts 180 days and renews itself every 7 days while the PC is on campus or on the VPN.",
    reported: "The result was reported to the portal.",
    report_kept: "The result could not be reported to the portal yet; it is saved on this PC and will be sent next time.",
    report_rejected: "The portal refused this report",
    spool_sent: "Sent earlier reports that were waiting",
    dry_run_plan: "Dry run: these are the commands that would run (nothing is changed).",
    dry_run_nothing_changed: "Dry run finished: nothing was changed and nothing was reported.",
    status_none: "No licence information was found.",
    licensed: "licensed",
    not_licensed: "not licensed",
    days_left: "days before it must renew",
    schedule_question: "Check the licence state once a week and report it to the portal? (A Windows scheduled task running as SYSTEM; it changes nothing.)",
    schedule_declined: "No scheduled task was created.",
    schedule_done: "A weekly scheduled task now checks the licence state.",
    schedule_failed: "The scheduled task could not be created (it needs administrator rights).",
    press_any_key: "Press any key to close…",
    help_desk: "If you need help, contact the campus IT office with the messages above.",
    config_missing: "The settings file activator.toml is missing. Download the whole zip from the portal again, unzip it, and run activator.exe from there. Missing:",
    config_invalid: "The settings file activator.toml is damaged; download it again from the portal. Problem:",
    report_invalid: "This run's result could not be put into a report (a bug), so it was not sent:",
};

impl Text {
    /// `text` in parentheses, with the language's own parentheses and spacing.
    pub fn aside(&self, text: &str) -> String {
        if self.full_width {
            format!("（{text}）")
        } else {
            format!(" ({text})")
        }
    }

    /// `(key ends in 6MWKP)`: the last five characters of a product key, aside.
    pub fn key_ends_in(&self, last5: &str) -> String {
        self.aside(&format!("{} {last5}", self.key_ends))
    }

    /// `label: value`, with the language's own colon.
    pub fn labelled(&self, label: &str, value: &str) -> String {
        if self.full_width {
            format!("{label}：{value}")
        } else {
            format!("{label}: {value}")
        }
    }

    /// Items joined as a list in the language.
    pub fn list(&self, items: &[String]) -> String {
        items.join(if self.full_width { "、" } else { ", " })
    }
}

/// The sentences of `language`.
pub fn text(language: Language) -> &'static Text {
    match language {
        Language::ZhTw => &ZH_TW,
        Language::En => &EN,
    }
}
