//! The two shapes a download's zip takes on its way: the bytes kept for every download
//! plus the few written for this one, sent without copying ([`Chunks`]); and, while the
//! small files are written, the one-entry zip seen as a file to append to ([`Appending`]).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Bytes;
use http_body::{Frame, SizeHint};

/// Buffers sent one after another; their total length is known, so the answer carries a
/// `Content-Length`.
pub(super) struct Chunks {
    parts: VecDeque<Bytes>,
    remaining: u64,
}

impl Chunks {
    pub(super) fn new(parts: impl IntoIterator<Item = Bytes>) -> Chunks {
        let parts: VecDeque<Bytes> = parts.into_iter().filter(|p| !p.is_empty()).collect();
        let remaining = parts.iter().map(|p| p.len() as u64).sum();
        Chunks { parts, remaining }
    }
}

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.parts.pop_front().map(|part| {
            self.remaining -= part.len() as u64;
            Ok(Frame::data(part))
        }))
    }

    fn is_end_stream(&self) -> bool {
        self.parts.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

/// The one-entry zip seen as a file that may be appended to: `head` (the entry) cannot
/// be written, and everything from its end on (at first the old central directory) lives
/// in `tail`, which `ZipWriter::new_append` overwrites with the new files and directory.
pub(super) struct Appending<'a> {
    head: &'a [u8],
    pub(super) tail: Vec<u8>,
    position: u64,
}

impl<'a> Appending<'a> {
    pub(super) fn new(head: &'a [u8], directory: &[u8]) -> Appending<'a> {
        let mut tail = Vec::with_capacity(16 * 1024);
        tail.extend_from_slice(directory);
        Appending {
            head,
            tail,
            position: 0,
        }
    }

    fn len(&self) -> u64 {
        (self.head.len() + self.tail.len()) as u64
    }

    /// The position as an index into `tail`, or `None` inside `head`.
    fn in_tail(&self) -> Option<usize> {
        usize::try_from(self.position)
            .ok()?
            .checked_sub(self.head.len())
    }
}

impl Read for Appending<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let from: &[u8] = match self.in_tail() {
            Some(at) => self.tail.get(at..).unwrap_or_default(),
            None => self
                .head
                .get(usize::try_from(self.position).unwrap_or(usize::MAX)..)
                .unwrap_or_default(),
        };
        let n = from.len().min(buf.len());
        buf[..n].copy_from_slice(&from[..n]);
        self.position += n as u64;
        Ok(n)
    }
}

impl Write for Appending<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let at = self.in_tail().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "the shared entry cannot be written",
            )
        })?;
        if self.tail.len() < at {
            self.tail.resize(at, 0);
        }
        let overlap = (self.tail.len() - at).min(buf.len());
        self.tail[at..at + overlap].copy_from_slice(&buf[..overlap]);
        self.tail.extend_from_slice(&buf[overlap..]);
        self.position += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Seek for Appending<'_> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let position = match to {
            SeekFrom::Start(at) => Some(at),
            SeekFrom::End(delta) => self.len().checked_add_signed(delta),
            SeekFrom::Current(delta) => self.position.checked_add_signed(delta),
        };
        self.position = position
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.position)
    }
}
