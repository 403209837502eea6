//! A minimal HTTP/1.1 keep-alive client: one request at a time on one connection, bodies framed
//! by `Content-Length`, as the stages service answers. Lean on purpose: the load generator shares
//! the machine with the service, so every cycle it spends is one the service does not get.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One keep-alive connection.
pub struct Conn {
    stream: TcpStream,
    host: String,
    token: String,
    out: Vec<u8>,
    buf: Vec<u8>,
}

/// An answer: status and body.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Conn {
    pub async fn connect(addr: SocketAddr, token: &str) -> io::Result<Conn> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream,
            host: addr.to_string(),
            token: token.to_owned(),
            out: Vec::with_capacity(512),
            buf: Vec::with_capacity(4096),
        })
    }

    /// Sends one request and reads its answer, within `timeout`.
    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
        timeout: Duration,
    ) -> io::Result<Answer> {
        match tokio::time::timeout(timeout, self.exchange(method, path, body)).await {
            Ok(answer) => answer,
            Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "request timed out")),
        }
    }

    async fn exchange(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
    ) -> io::Result<Answer> {
        self.out.clear();
        self.out.extend_from_slice(method.as_bytes());
        self.out.extend_from_slice(b" /api/v3");
        self.out.extend_from_slice(path.as_bytes());
        self.out.extend_from_slice(b" HTTP/1.1\r\nHost: ");
        self.out.extend_from_slice(self.host.as_bytes());
        self.out.extend_from_slice(b"\r\nAuthorization: Bearer ");
        self.out.extend_from_slice(self.token.as_bytes());
        self.out.extend_from_slice(b"\r\n");
        if let Some(body) = body {
            self.out
                .extend_from_slice(b"Content-Type: application/json\r\nContent-Length: ");
            self.out
                .extend_from_slice(body.len().to_string().as_bytes());
            self.out.extend_from_slice(b"\r\n\r\n");
            self.out.extend_from_slice(body);
        } else {
            self.out.extend_from_slice(b"\r\n");
        }
        self.stream.write_all(&self.out).await?;

        // Head first, then exactly Content-Length bytes of body, read straight into `buf`.
        self.buf.clear();
        let (status, head_len, body_len) = loop {
            if self.buf.capacity() - self.buf.len() < 1024 {
                self.buf.reserve(4096);
            }
            let n = self.stream.read_buf(&mut self.buf).await?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed before the answer",
                ));
            }
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut response = httparse::Response::new(&mut headers);
            match response.parse(&self.buf) {
                Ok(httparse::Status::Complete(head_len)) => {
                    let status = response.code.unwrap_or(0);
                    let length = response
                        .headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                        .and_then(|h| std::str::from_utf8(h.value).ok())
                        .and_then(|v| v.trim().parse::<usize>().ok());
                    let length = match (length, status) {
                        (Some(l), _) => l,
                        (None, 204 | 304) => 0,
                        (None, _) => {
                            return Err(io::Error::new(
                                io::ErrorKind::InvalidData,
                                "an answer without Content-Length",
                            ))
                        }
                    };
                    break (status, head_len, length);
                }
                Ok(httparse::Status::Partial) => continue,
                Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
            }
        };
        let total = head_len + body_len;
        if self.buf.len() < total {
            self.buf.reserve(total - self.buf.len());
        }
        while self.buf.len() < total {
            let n = self.stream.read_buf(&mut self.buf).await?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed in the body",
                ));
            }
        }
        Ok(Answer {
            status,
            body: self.buf[head_len..total].to_vec(),
        })
    }
}
