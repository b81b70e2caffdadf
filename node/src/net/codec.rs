//! The `/hearth/sync/1` request-response codec: each message is a 4-byte
//! big-endian length followed by that many opaque bytes. Reads are bounded:
//! a length over the limit is refused before anything is read or allocated,
//! and the buffer grows only with bytes that actually arrive.

use std::io;

use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libp2p::StreamProtocol;
use libp2p::request_response;

/// The sync protocol's name.
pub const SYNC_PROTOCOL: StreamProtocol = StreamProtocol::new("/hearth/sync/1");

/// Largest sync request, in bytes: the protocol's limit on a
/// `SyncRequest`, stated once, there.
pub const MAX_REQUEST_SIZE: usize = hearth_protocol::federation::wire::MAX_REQUEST_BYTES;

/// Largest sync response, in bytes (the protocol's `SyncResponse` limit).
pub const MAX_RESPONSE_SIZE: usize = hearth_protocol::federation::wire::MAX_RESPONSE_BYTES;

/// First allocation for a frame's body.
const FIRST_CHUNK: usize = 64 * 1024;

/// Why a frame was refused.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The frame (claimed or given) is longer than the limit.
    #[error("frame of {len} bytes exceeds the limit of {max}")]
    TooLarge {
        /// Length of the frame.
        len: usize,
        /// The limit.
        max: usize,
    },
}

/// Length-prefixed opaque bytes, with separate limits for requests and
/// responses.
#[derive(Debug, Clone, Copy)]
pub struct SyncCodec {
    max_request: usize,
    max_response: usize,
}

impl Default for SyncCodec {
    fn default() -> Self {
        SyncCodec {
            max_request: MAX_REQUEST_SIZE,
            max_response: MAX_RESPONSE_SIZE,
        }
    }
}

/// Reads one frame of at most `max` bytes.
pub async fn read_frame<T>(io: &mut T, max: usize) -> io::Result<Vec<u8>>
where
    T: AsyncRead + Unpin + Send,
{
    let mut header = [0u8; 4];
    io.read_exact(&mut header).await?;
    let len = u32::from_be_bytes(header) as usize;
    if len > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            Error::TooLarge { len, max },
        ));
    }
    // Not `vec![0; len]` at once: a peer that claims a large frame and then
    // sends nothing must not cost us the allocation. The buffer doubles as
    // bytes arrive, so it is never more than twice what was received.
    let mut data = Vec::new();
    while data.len() < len {
        let start = data.len();
        let grow = (len - start).min(start.max(FIRST_CHUNK));
        data.resize(start + grow, 0);
        io.read_exact(&mut data[start..]).await?;
    }
    Ok(data)
}

/// Writes one frame, refusing data longer than `max` before writing anything.
pub async fn write_frame<T>(io: &mut T, data: &[u8], max: usize) -> io::Result<()>
where
    T: AsyncWrite + Unpin + Send,
{
    let len = u32::try_from(data.len())
        .ok()
        .filter(|len| *len as usize <= max)
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                Error::TooLarge {
                    len: data.len(),
                    max,
                },
            )
        })?;
    io.write_all(&len.to_be_bytes()).await?;
    io.write_all(data).await?;
    io.flush().await
}

impl request_response::Codec for SyncCodec {
    type Protocol = StreamProtocol;
    type Request = Vec<u8>;
    type Response = Vec<u8>;

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Vec<u8>>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_frame(io, self.max_request).await
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Vec<u8>>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_frame(io, self.max_response).await
    }

    async fn write_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        request: Vec<u8>,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_frame(io, &request, self.max_request).await
    }

    async fn write_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        response: Vec<u8>,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_frame(io, &response, self.max_response).await
    }
}

#[cfg(test)]
mod tests {
    use futures::io::{AsyncReadExt as _, Cursor};

    use super::*;

    fn frame(len: u32, body: &[u8]) -> Vec<u8> {
        let mut bytes = len.to_be_bytes().to_vec();
        bytes.extend_from_slice(body);
        bytes
    }

    #[tokio::test]
    async fn round_trip() {
        let mut out = Cursor::new(Vec::new());
        write_frame(&mut out, b"heads", 16).await.unwrap();
        write_frame(&mut out, b"", 16).await.unwrap();
        let mut input = Cursor::new(out.into_inner());
        assert_eq!(read_frame(&mut input, 16).await.unwrap(), b"heads");
        assert_eq!(read_frame(&mut input, 16).await.unwrap(), b"");
    }

    #[tokio::test]
    async fn a_claimed_length_over_the_limit_is_refused_before_reading_the_body() {
        // A 4 GiB claim followed by an endless stream: the read must fail at
        // once, without waiting for (or allocating) the body.
        let header = Cursor::new(u32::MAX.to_be_bytes().to_vec());
        let mut input = header.chain(futures::io::repeat(0));
        let err = read_frame(&mut input, MAX_RESPONSE_SIZE).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("exceeds the limit"), "{err}");

        let mut input = Cursor::new(frame(MAX_REQUEST_SIZE as u32 + 1, b""));
        let err = read_frame(&mut input, MAX_REQUEST_SIZE).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    }

    #[tokio::test]
    async fn a_frame_shorter_than_its_claim_is_refused() {
        let mut input = Cursor::new(frame(1000, b"only ten b"));
        let err = read_frame(&mut input, MAX_REQUEST_SIZE).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[tokio::test]
    async fn writing_over_the_limit_writes_nothing() {
        let mut out = Cursor::new(Vec::new());
        let err = write_frame(&mut out, &[0; 17], 16).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(out.into_inner().is_empty());
    }
}
