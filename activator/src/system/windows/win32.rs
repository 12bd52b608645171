//! The Win32 calls behind [`super::WindowsSystem`]: token, kernel version, processor,
//! language, time zone, random bytes and console. Each is a plain function that cannot fail loudly (it
//! answers a safe default instead), and each exists on Windows 7 and in Wine 8.

#![expect(
    unsafe_code,
    reason = "Win32 calls through windows-sys; each block says why it is sound"
)]

use std::io;

use time::UtcOffset;
use windows_sys::Wdk::System::SystemServices::RtlGetVersion;
use windows_sys::Win32::Foundation::{CloseHandle, HANDLE, INVALID_HANDLE_VALUE};
use windows_sys::Win32::Globalization::{CP_UTF8, GetUserDefaultUILanguage, LCIDToLocaleName};
use windows_sys::Win32::Security::Cryptography::{
    BCRYPT_USE_SYSTEM_PREFERRED_RNG, BCryptGenRandom,
};
use windows_sys::Win32::Security::{
    GetTokenInformation, TOKEN_ELEVATION, TOKEN_QUERY, TokenElevation,
};
use windows_sys::Win32::System::Console::{
    FlushConsoleInputBuffer, GetConsoleMode, GetConsoleOutputCP, GetStdHandle, INPUT_RECORD,
    KEY_EVENT, ReadConsoleInputW, STD_INPUT_HANDLE, SetConsoleOutputCP,
};
use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleW, GetProcAddress};
use windows_sys::Win32::System::SystemInformation::{
    GetNativeSystemInfo, OSVERSIONINFOW, PROCESSOR_ARCHITECTURE_ARM64,
    PROCESSOR_ARCHITECTURE_INTEL, SYSTEM_INFO,
};
use windows_sys::Win32::System::Threading::{GetCurrentProcess, IsWow64Process, OpenProcessToken};
use windows_sys::Win32::System::Time::{
    DYNAMIC_TIME_ZONE_INFORMATION, GetDynamicTimeZoneInformation, TIME_ZONE_ID_INVALID,
};
use windows_sys::Win32::UI::Input::KeyboardAndMouse::{
    VK_CAPITAL, VK_CONTROL, VK_LWIN, VK_MENU, VK_NUMLOCK, VK_RWIN, VK_SCROLL, VK_SHIFT,
};

use crate::system::{OsVersion, Platform};
use protocol::report::Architecture;

/// `GetDynamicTimeZoneInformation`'s answers (winnt.h), kept here rather than pulling in
/// windows-sys's large `SystemServices` module for two numbers.
const TIME_ZONE_ID_STANDARD: u32 = 1;
const TIME_ZONE_ID_DAYLIGHT: u32 = 2;

/// Switches the console's output code page to UTF-8 and answers the one it had, or `None`
/// when there is no console or it already was UTF-8 (so there is nothing to restore).
pub(super) fn console_to_utf8() -> Option<u32> {
    // SAFETY: neither call takes pointers; both fail harmlessly (0) without a console.
    let previous = unsafe { GetConsoleOutputCP() };
    let switched =
        previous != 0 && previous != CP_UTF8 && unsafe { SetConsoleOutputCP(CP_UTF8) } != 0;
    switched.then_some(previous)
}

/// Gives the console back the output code page [`console_to_utf8`] found.
pub(super) fn restore_console(code_page: u32) {
    // SAFETY: no pointers; fails harmlessly if the console is gone.
    unsafe { SetConsoleOutputCP(code_page) };
}

/// Whether the process token is elevated (`TokenElevation`); `false` if it cannot tell.
pub(super) fn is_elevated() -> bool {
    let mut token: HANDLE = std::ptr::null_mut();
    // SAFETY: GetCurrentProcess is a pseudo-handle needing no closing; `token` is a valid
    // out pointer.
    if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
        return false;
    }
    let mut elevation = TOKEN_ELEVATION::default();
    let mut returned = 0;
    // SAFETY: the buffer is a TOKEN_ELEVATION and its exact size is passed; the token is
    // open for query and closed right after.
    let ok = unsafe {
        let ok = GetTokenInformation(
            token,
            TokenElevation,
            (&raw mut elevation).cast(),
            size_of::<TOKEN_ELEVATION>() as u32,
            &mut returned,
        );
        CloseHandle(token);
        ok
    };
    ok != 0 && elevation.TokenIsElevated != 0
}

/// The version from the kernel (`RtlGetVersion`); `GetVersionEx` answers what the
/// manifest's compatibility list allows it to, not what is installed. 0.0.0 on failure.
pub(super) fn os_version() -> OsVersion {
    let mut info = OSVERSIONINFOW {
        dwOSVersionInfoSize: size_of::<OSVERSIONINFOW>() as u32,
        ..OSVERSIONINFOW::default()
    };
    // SAFETY: `info` is a valid OSVERSIONINFOW with its size filled in, as required.
    if unsafe { RtlGetVersion(&mut info) } < 0 {
        return OsVersion {
            major: 0,
            minor: 0,
            build: 0,
        };
    }
    OsVersion {
        major: info.dwMajorVersion,
        minor: info.dwMinorVersion,
        build: info.dwBuildNumber,
    }
}

/// `IMAGE_FILE_MACHINE_*` (winnt.h), as `IsWow64Process2` answers them (AMD64 is 0x8664).
const MACHINE_I386: u16 = 0x014C;
const MACHINE_ARM64: u16 = 0xAA64;

/// `IsWow64Process2`'s signature (Windows 10 1709 and later; looked up at run time, as
/// importing it would stop the program from starting on Windows 7).
type IsWow64Process2Fn = unsafe extern "system" fn(HANDLE, *mut u16, *mut u16) -> i32;

/// The processor Windows runs on and whether this process is emulated beneath it.
///
/// `IsWow64Process2` where Windows has it: it is the only call that tells the truth to an
/// x86 process on ARM64, where `GetNativeSystemInfo` answers x86. Elsewhere (Windows 7,
/// 8.1, early 10, Wine 8) `IsWow64Process` and `GetNativeSystemInfo`, which are exact
/// there: ARM64 Windows always has `IsWow64Process2`. Unknown answers count as x64.
pub(super) fn platform() -> Platform {
    let name: Vec<u16> = "kernel32.dll".encode_utf16().chain([0]).collect();
    // SAFETY: the name is a NUL-terminated UTF-16 string; kernel32 is always loaded.
    let kernel32 = unsafe { GetModuleHandleW(name.as_ptr()) };
    // SAFETY: `kernel32` is a module handle (or null, which GetProcAddress rejects) and the
    // name is NUL-terminated.
    let found = (!kernel32.is_null())
        .then(|| unsafe { GetProcAddress(kernel32, c"IsWow64Process2".as_ptr().cast()) })
        .flatten();
    if let Some(function) = found {
        // SAFETY: the symbol is IsWow64Process2, whose signature IsWow64Process2Fn is.
        let function: IsWow64Process2Fn = unsafe { std::mem::transmute(function) };
        let (mut process, mut native) = (0u16, 0u16);
        // SAFETY: a pseudo-handle for this process and two valid out pointers.
        if unsafe { function(GetCurrentProcess(), &mut process, &mut native) } != 0 {
            let native = match native {
                MACHINE_ARM64 => Architecture::Arm64,
                MACHINE_I386 => Architecture::X86,
                // IMAGE_FILE_MACHINE_AMD64, and anything newer.
                _ => Architecture::X64,
            };
            // IMAGE_FILE_MACHINE_UNKNOWN (0): the process is not emulated.
            return Platform {
                native,
                wow64: process != 0,
            };
        }
    }
    let mut wow64 = 0;
    // SAFETY: a pseudo-handle for this process and a valid out pointer.
    let wow64 = unsafe { IsWow64Process(GetCurrentProcess(), &mut wow64) } != 0 && wow64 != 0;
    let mut info = SYSTEM_INFO::default();
    // SAFETY: `info` is a valid, writable SYSTEM_INFO.
    unsafe { GetNativeSystemInfo(&mut info) };
    // SAFETY: the union's first member is the processor architecture, always written.
    let native = match unsafe { info.Anonymous.Anonymous.wProcessorArchitecture } {
        PROCESSOR_ARCHITECTURE_ARM64 => Architecture::Arm64,
        PROCESSOR_ARCHITECTURE_INTEL => Architecture::X86,
        // PROCESSOR_ARCHITECTURE_AMD64, and anything newer.
        _ => Architecture::X64,
    };
    Platform { native, wow64 }
}

/// The user's UI language as a BCP 47 tag (`zh-TW`); `en-US` if Windows cannot name it.
pub(super) fn ui_language() -> String {
    // SAFETY: no arguments.
    let language = unsafe { GetUserDefaultUILanguage() };
    // MAKELCID(language, SORT_DEFAULT): the sort id is 0.
    let lcid = u32::from(language);
    // LOCALE_NAME_MAX_LENGTH (85) UTF-16 units, the terminating NUL included.
    let mut name = [0u16; 85];
    // SAFETY: the buffer and its length in UTF-16 units match.
    let written = unsafe { LCIDToLocaleName(lcid, name.as_mut_ptr(), name.len() as i32, 0) };
    match usize::try_from(written) {
        Ok(length) if length > 1 => String::from_utf16_lossy(&name[..length - 1]),
        _ => "en-US".to_owned(),
    }
}

/// The offset in force now: the zone's bias plus its standard or daylight bias, as Windows
/// decides from the zone's rules and the "adjust for daylight saving" setting. UTC if the
/// zone cannot be read.
pub(super) fn local_offset() -> UtcOffset {
    let mut zone = DYNAMIC_TIME_ZONE_INFORMATION::default();
    // SAFETY: `zone` is a valid, writable DYNAMIC_TIME_ZONE_INFORMATION.
    let extra = match unsafe { GetDynamicTimeZoneInformation(&mut zone) } {
        TIME_ZONE_ID_INVALID => return UtcOffset::UTC,
        TIME_ZONE_ID_DAYLIGHT => zone.DaylightBias,
        TIME_ZONE_ID_STANDARD => zone.StandardBias,
        _ => 0,
    };
    // The bias is in minutes *west* of UTC: UTC = local + bias.
    let minutes_east = -(zone.Bias + extra);
    UtcOffset::from_whole_seconds(minutes_east * 60).unwrap_or(UtcOffset::UTC)
}

/// `BCryptGenRandom` with the system's preferred generator (Windows 7 and Wine have it;
/// `ProcessPrng`, which Rust's own standard library prefers, needs Windows 10).
pub(super) fn random(buffer: &mut [u8]) -> io::Result<()> {
    for chunk in buffer.chunks_mut(u32::MAX as usize) {
        // SAFETY: the pointer and length describe `chunk`; no algorithm handle is needed
        // with BCRYPT_USE_SYSTEM_PREFERRED_RNG.
        let status = unsafe {
            BCryptGenRandom(
                std::ptr::null_mut(),
                chunk.as_mut_ptr(),
                chunk.len() as u32,
                BCRYPT_USE_SYSTEM_PREFERRED_RNG,
            )
        };
        if status < 0 {
            return Err(io::Error::other(format!(
                "BCryptGenRandom failed with 0x{status:08X}"
            )));
        }
    }
    Ok(())
}

/// Waits for a key press from the console (like `_getch`), ignoring key releases and lone
/// modifier keys; returns at once when standard input is not a console (a redirected or
/// scripted run must not hang). Keys typed before the call are dropped, so the person gets
/// to read what was printed.
pub(super) fn wait_for_key() {
    // SAFETY: no pointers.
    let input = unsafe { GetStdHandle(STD_INPUT_HANDLE) };
    let mut mode = 0;
    // SAFETY: `mode` is a valid out pointer; GetConsoleMode fails on a non-console.
    if input.is_null()
        || input == INVALID_HANDLE_VALUE
        || unsafe { GetConsoleMode(input, &mut mode) } == 0
    {
        return;
    }
    // SAFETY: `input` is a console input handle.
    unsafe { FlushConsoleInputBuffer(input) };
    loop {
        let mut record = INPUT_RECORD::default();
        let mut read = 0;
        // SAFETY: room for exactly one record, as passed.
        if unsafe { ReadConsoleInputW(input, &mut record, 1, &mut read) } == 0 {
            return;
        }
        if read == 1 && u32::from(record.EventType) == KEY_EVENT {
            // SAFETY: EventType says the union holds a KEY_EVENT_RECORD.
            let key = unsafe { record.Event.KeyEvent };
            if key.bKeyDown != 0 && !is_modifier(key.wVirtualKeyCode) {
                return;
            }
        }
    }
}

/// Keys that do nothing alone, so pressing Shift does not count as "any key".
fn is_modifier(virtual_key: u16) -> bool {
    [
        VK_SHIFT, VK_CONTROL, VK_MENU, VK_LWIN, VK_RWIN, VK_CAPITAL, VK_NUMLOCK, VK_SCROLL,
    ]
    .contains(&virtual_key)
}
