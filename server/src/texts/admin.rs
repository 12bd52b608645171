//! The admin pages' fixed strings in both languages (the public pages' are in
//! `crate::texts`). A string missing in either language does not compile.

use crate::lang::Lang;

/// Every fixed string of the admin pages.
#[derive(Debug)]
pub struct AdminText {
    pub section: &'static str,
    pub login_title: &'static str,
    pub login_lead: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub signed_in_as: &'static str,
    pub login_wrong: &'static str,
    pub login_throttled: &'static str,
    pub password_title: &'static str,
    pub password_forced: &'static str,
    pub password_rules: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub confirm_password: &'static str,
    pub save: &'static str,
    pub password_current_wrong: &'static str,
    pub password_mismatch: &'static str,
    pub password_unchanged: &'static str,
    pub nav_label: &'static str,
    pub nav_dashboard: &'static str,
    pub nav_catalogue: &'static str,
    pub nav_tutorials: &'static str,
    pub nav_errors: &'static str,
    pub nav_settings: &'static str,
    pub nav_downloads: &'static str,
    pub nav_deployments: &'static str,
    pub nav_audit: &'static str,
    pub nav_password: &'static str,
    pub viewer_note: &'static str,
}

/// Traditional Chinese (Taiwan).
pub static ZH_TW: AdminText = AdminText {
    section: "管理",
    login_title: "管理人員登入",
    login_lead: "資訊單位人員登入後，可以查看啟用統計並編輯授權清單與教學。",
    username: "帳號",
    password: "密碼",
    sign_in: "登入",
    sign_out: "登出",
    signed_in_as: "目前登入",
    login_wrong: "帳號或密碼錯誤。",
    login_throttled: "密碼錯誤的次數太多，請 {minutes} 分鐘後再試。",
    password_title: "變更密碼",
    password_forced: "這是由他人設定的密碼，請先換成只有你知道的密碼才能繼續。",
    password_rules: "至少 12 個字元；建議使用由數個詞組成的長句。",
    current_password: "目前的密碼",
    new_password: "新密碼",
    confirm_password: "再輸入一次新密碼",
    save: "儲存",
    password_current_wrong: "目前的密碼不正確。",
    password_mismatch: "兩次輸入的新密碼不一樣。",
    password_unchanged: "新密碼不能與目前的密碼相同。",
    nav_label: "管理選單",
    nav_dashboard: "啟用統計",
    nav_catalogue: "授權清單",
    nav_tutorials: "教學",
    nav_errors: "錯誤碼",
    nav_settings: "學校資訊",
    nav_downloads: "下載憑證",
    nav_deployments: "大量部署",
    nav_audit: "變更紀錄",
    nav_password: "變更密碼",
    viewer_note: "你的帳號只能檢視，不能變更。",
};

/// English.
pub static EN: AdminText = AdminText {
    section: "Admin",
    login_title: "Staff sign-in",
    login_lead: "IT staff sign in to see activation statistics and to edit the catalogue and guides.",
    username: "Username",
    password: "Password",
    sign_in: "Sign in",
    sign_out: "Sign out",
    signed_in_as: "Signed in as",
    login_wrong: "Wrong username or password.",
    login_throttled: "Too many wrong passwords. Try again in {minutes} minute(s).",
    password_title: "Change password",
    password_forced: "This password was set by someone else: choose one only you know to continue.",
    password_rules: "At least 12 characters; a sentence of several words works well.",
    current_password: "Current password",
    new_password: "New password",
    confirm_password: "New password again",
    save: "Save",
    password_current_wrong: "The current password is not right.",
    password_mismatch: "The two new passwords differ.",
    password_unchanged: "The new password must differ from the current one.",
    nav_label: "Admin menu",
    nav_dashboard: "Statistics",
    nav_catalogue: "Catalogue",
    nav_tutorials: "Guides",
    nav_errors: "Error codes",
    nav_settings: "Institution",
    nav_downloads: "Download tokens",
    nav_deployments: "Deployments",
    nav_audit: "Change log",
    nav_password: "Change password",
    viewer_note: "Your account can look but not change anything.",
};

/// The admin strings of `lang`.
pub fn text(lang: Lang) -> &'static AdminText {
    match lang {
        Lang::ZhTw => &ZH_TW,
        Lang::En => &EN,
    }
}
