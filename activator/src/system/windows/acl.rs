//! Folders only administrators can touch: the report spool on a shared PC.
//!
//! `%ProgramData%` lets every user create folders and files. The activator runs as
//! administrator and sends and deletes what its spool holds, so a standard user who made
//! the folder first, or a junction in its place, must not be able to feed it files or aim
//! it elsewhere. [`secure_dir`] creates a folder owned by Administrators whose protected
//! access list grants SYSTEM and Administrators only (inherited by everything in it), takes
//! an existing one over the same way, and refuses a junction or any other reparse point.

#![expect(
    unsafe_code,
    reason = "the Win32 security calls that set a folder's owner and access list"
)]

use std::io;
use std::os::windows::ffi::OsStrExt;
use std::path::Path;

use windows_sys::Win32::Foundation::{ERROR_ALREADY_EXISTS, LocalFree};
use windows_sys::Win32::Security::Authorization::{
    ConvertStringSecurityDescriptorToSecurityDescriptorW, SDDL_REVISION_1, SE_FILE_OBJECT,
    SetNamedSecurityInfoW,
};
use windows_sys::Win32::Security::{
    ACL, DACL_SECURITY_INFORMATION, GetSecurityDescriptorDacl, GetSecurityDescriptorOwner,
    OWNER_SECURITY_INFORMATION, PROTECTED_DACL_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR, PSID,
    SECURITY_ATTRIBUTES,
};
use windows_sys::Win32::Storage::FileSystem::{
    CreateDirectoryW, FILE_ATTRIBUTE_DIRECTORY, FILE_ATTRIBUTE_REPARSE_POINT, GetFileAttributesW,
    INVALID_FILE_ATTRIBUTES,
};

/// Owner Administrators; a protected access list (nothing inherited from `%ProgramData%`)
/// with full control for SYSTEM and Administrators, passed on to files and subfolders.
const ADMINISTRATORS_ONLY: &str = "O:BAD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)";

/// Makes `path` a folder only SYSTEM and Administrators can use: creates it so, or takes
/// an existing folder over (owner and access list); refuses a reparse point (a junction or
/// symbolic link) or a file in its place.
pub(super) fn secure_dir(path: &Path) -> io::Result<()> {
    let wide = wide(path);
    let descriptor = Descriptor::parse(ADMINISTRATORS_ONLY)?;
    if attributes(&wide).is_none() {
        let attributes = SECURITY_ATTRIBUTES {
            nLength: size_of::<SECURITY_ATTRIBUTES>() as u32,
            lpSecurityDescriptor: descriptor.0,
            bInheritHandle: 0,
        };
        // SAFETY: a NUL-terminated path and a valid SECURITY_ATTRIBUTES.
        if unsafe { CreateDirectoryW(wide.as_ptr(), &attributes) } != 0 {
            return Ok(());
        }
        let error = io::Error::last_os_error();
        if error.raw_os_error() != Some(ERROR_ALREADY_EXISTS as i32) {
            return Err(error);
        }
    }
    let found = attributes(&wide).ok_or_else(io::Error::last_os_error)?;
    if found & FILE_ATTRIBUTE_REPARSE_POINT != 0 {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "{} is a junction or link; refusing to use it",
                path.display()
            ),
        ));
    }
    if found & FILE_ATTRIBUTE_DIRECTORY == 0 {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} is a file, not a folder", path.display()),
        ));
    }
    let (owner, dacl) = descriptor.owner_and_dacl()?;
    // SAFETY: a NUL-terminated path; owner and DACL point into `descriptor`, alive here.
    let status = unsafe {
        SetNamedSecurityInfoW(
            wide.as_ptr(),
            SE_FILE_OBJECT,
            OWNER_SECURITY_INFORMATION
                | DACL_SECURITY_INFORMATION
                | PROTECTED_DACL_SECURITY_INFORMATION,
            owner,
            std::ptr::null_mut(),
            dacl,
            std::ptr::null(),
        )
    };
    if status == 0 {
        Ok(())
    } else {
        Err(io::Error::from_raw_os_error(status as i32))
    }
}

/// Whether `path` is a junction, symbolic link or other reparse point (not followed).
pub(super) fn is_reparse_point(path: &Path) -> bool {
    attributes(&wide(path)).is_some_and(|a| a & FILE_ATTRIBUTE_REPARSE_POINT != 0)
}

/// A security descriptor made from SDDL, freed with `LocalFree`.
struct Descriptor(PSECURITY_DESCRIPTOR);

impl Descriptor {
    fn parse(sddl: &str) -> io::Result<Descriptor> {
        let text: Vec<u16> = sddl.encode_utf16().chain([0]).collect();
        let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
        // SAFETY: a NUL-terminated string and a valid out pointer; the size is optional.
        let ok = unsafe {
            ConvertStringSecurityDescriptorToSecurityDescriptorW(
                text.as_ptr(),
                SDDL_REVISION_1,
                &mut descriptor,
                std::ptr::null_mut(),
            )
        };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Descriptor(descriptor))
    }

    /// The owner and access list inside the descriptor.
    fn owner_and_dacl(&self) -> io::Result<(PSID, *const ACL)> {
        let (mut owner, mut defaulted): (PSID, _) = (std::ptr::null_mut(), 0);
        let (mut dacl, mut present): (*mut ACL, _) = (std::ptr::null_mut(), 0);
        // SAFETY: a valid descriptor and valid out pointers; the answers point into it.
        let ok = unsafe {
            GetSecurityDescriptorOwner(self.0, &mut owner, &mut defaulted) != 0
                && GetSecurityDescriptorDacl(self.0, &mut present, &mut dacl, &mut defaulted) != 0
        };
        if !ok || present == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok((owner, dacl))
    }
}

impl Drop for Descriptor {
    fn drop(&mut self) {
        // SAFETY: allocated by ConvertStringSecurityDescriptorToSecurityDescriptorW, freed
        // once.
        unsafe { LocalFree(self.0) };
    }
}

/// A path as a NUL-terminated UTF-16 string.
fn wide(path: &Path) -> Vec<u16> {
    path.as_os_str().encode_wide().chain([0]).collect()
}

/// The path's attributes, not following a reparse point; `None` when it does not exist.
fn attributes(wide: &[u16]) -> Option<u32> {
    // SAFETY: a NUL-terminated string.
    let attributes = unsafe { GetFileAttributesW(wide.as_ptr()) };
    (attributes != INVALID_FILE_ATTRIBUTES).then_some(attributes)
}
