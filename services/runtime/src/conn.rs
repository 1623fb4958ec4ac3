//! Accepted connections that must prove themselves: a connection that has
//! not sent the first bytes of a conversation (the 24-byte HTTP/2 preface,
//! or a TLS ClientHello) within a timeout is closed, so idle sockets that
//! never speak cannot pile up (issue 20). hyper's HTTP/2 server has no such
//! timeout of its own: it waits for the preface for ever.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tonic::transport::server::{Connected, TcpConnectInfo};

/// Bytes of the HTTP/2 client connection preface (RFC 9113 §3.4).
pub const PREFACE_BYTES: usize = 24;

/// A TCP connection whose reads fail with `TimedOut` when its first
/// [`PREFACE_BYTES`] bytes have not arrived within the timeout.
pub struct PrefaceTimeout {
    inner: TcpStream,
    /// Until the preface is in: when to give up on it.
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    received: usize,
}

impl PrefaceTimeout {
    pub fn new(inner: TcpStream, timeout: Duration) -> Self {
        Self {
            inner,
            deadline: (!timeout.is_zero()).then(|| Box::pin(tokio::time::sleep(timeout))),
            received: 0,
        }
    }
}

impl AsyncRead for PrefaceTimeout {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if self.deadline.is_none() {
            return polled;
        }
        if let Poll::Ready(Ok(())) = &polled {
            self.received += buf.filled().len() - before;
            if self.received >= PREFACE_BYTES {
                self.deadline = None;
            }
            return polled;
        }
        if polled.is_pending()
            && let Some(deadline) = self.deadline.as_mut()
            && deadline.as_mut().poll(cx).is_ready()
        {
            let peer = self.inner.peer_addr().ok();
            tracing::debug!(
                ?peer,
                received = self.received,
                "no preface in time: connection closed"
            );
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "no HTTP/2 preface within the timeout",
            )));
        }
        polled
    }
}

impl AsyncWrite for PrefaceTimeout {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

impl Connected for PrefaceTimeout {
    type ConnectInfo = TcpConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.inner.connect_info()
    }
}
