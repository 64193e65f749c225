//! What a file is, by its content rather than its name, and what is inside a video container.

/// What an uploaded file's bytes say it is, by content rather than name.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    if starts(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if starts(b"\xFF\xD8\xFF") {
        Some("image/jpeg")
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        let brand = &bytes[8..12];
        if brand == b"heic" || brand == b"heix" || brand == b"mif1" {
            Some("image/heic")
        } else if brand == b"qt  " {
            Some("video/quicktime")
        } else {
            Some("video/mp4")
        }
    } else if starts(b"\x1A\x45\xDF\xA3") {
        Some("video/webm")
    } else if starts(b"glTF") {
        Some("model/gltf-binary")
    } else if bytes.len() > 4 && starts(b"PK\x03\x04") {
        Some("model/vnd.usdz+zip")
    } else {
        None
    }
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn be64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The boxes (atoms) of an ISO media file at one level: `(type, body)`.
fn boxes(data: &[u8]) -> Vec<([u8; 4], &[u8])> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 8 <= data.len() {
        let Some(size) = be32(data, at) else { break };
        let kind: [u8; 4] = data[at + 4..at + 8].try_into().expect("4 bytes");
        let (header, size) = match size {
            0 => (8, data.len() - at),
            1 => match be64(data, at + 8) {
                Some(s) => (16, s as usize),
                None => break,
            },
            s => (8, s as usize),
        };
        if size < header || at + size > data.len() {
            break;
        }
        out.push((kind, &data[at + header..at + size]));
        at += size;
    }
    out
}

/// Duration in seconds and picture size of an MP4 or MOV file, read from its `moov` box.
pub fn mp4_info(data: &[u8]) -> Option<(f64, u32, u32)> {
    let moov = boxes(data).into_iter().find(|(k, _)| k == b"moov")?.1;
    let mut duration = None;
    let (mut w, mut h) = (0, 0);
    for (kind, body) in boxes(moov) {
        if &kind == b"mvhd" {
            let v1 = *body.first()? == 1;
            let (scale_at, dur) = if v1 { (20, be64(body, 24)?) } else { (12, u64::from(be32(body, 16)?)) };
            let scale = be32(body, scale_at)?;
            duration = Some(dur as f64 / f64::from(scale.max(1)));
        }
        if &kind == b"trak"
            && let Some((_, tkhd)) = boxes(body).into_iter().find(|(k, _)| k == b"tkhd")
        {
            let v1 = *tkhd.first()? == 1;
            let at = if v1 { 88 } else { 76 };
            let (tw, th) = (be32(tkhd, at)? >> 16, be32(tkhd, at + 4)? >> 16);
            if tw > 0 && th > 0 {
                (w, h) = (tw, th);
            }
        }
    }
    Some((duration?, w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal MP4: ftyp, and moov with mvhd (v0) and one video trak with tkhd (v0).
    pub fn tiny_mp4(seconds: u32, w: u32, h: u32) -> Vec<u8> {
        fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
            let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
            v.extend_from_slice(kind);
            v.extend_from_slice(body);
            v
        }
        let mut mvhd = vec![0u8; 100];
        mvhd[12..16].copy_from_slice(&1000u32.to_be_bytes());
        mvhd[16..20].copy_from_slice(&(seconds * 1000).to_be_bytes());
        let mut tkhd = vec![0u8; 84];
        tkhd[76..80].copy_from_slice(&(w << 16).to_be_bytes());
        tkhd[80..84].copy_from_slice(&(h << 16).to_be_bytes());
        let trak = bx(b"trak", &bx(b"tkhd", &tkhd));
        let mut moov_body = bx(b"mvhd", &mvhd);
        moov_body.extend(trak);
        let mut file = bx(b"ftyp", b"isom\0\0\0\0isommp41");
        file.extend(bx(b"moov", &moov_body));
        file
    }

    #[test]
    fn sniff_reads_content_not_names() {
        assert_eq!(sniff(b"glTF\x02\0\0\0"), Some("model/gltf-binary"));
        assert_eq!(sniff(&tiny_mp4(1, 2, 2)), Some("video/mp4"));
        assert_eq!(sniff(b"not an image at all"), None);
    }

    #[test]
    fn mp4_duration_and_size_are_read_from_the_moov_box() {
        assert_eq!(mp4_info(&tiny_mp4(75, 1920, 1080)), Some((75.0, 1920, 1080)));
        assert_eq!(mp4_info(b"\0\0\0\x08ftyp"), None);
    }
}
