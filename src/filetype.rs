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

/// One box (atom) of an ISO media file: its type and body.
type IsoBox<'a> = ([u8; 4], &'a [u8]);

/// The boxes of an ISO media file at one level, and whether they tile the data exactly (false
/// when a box is cut short or bytes follow that are no box).
fn walk_boxes(data: &[u8]) -> (Vec<IsoBox<'_>>, bool) {
    let mut out = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let Some(size) = be32(data, at) else { return (out, false) };
        let Some(Ok(kind)) = data.get(at + 4..at + 8).map(<[u8; 4]>::try_from) else { return (out, false) };
        let (header, size) = match size {
            0 => (8, data.len() - at),
            1 => match be64(data, at + 8).and_then(|s| usize::try_from(s).ok()) {
                Some(s) => (16, s),
                None => return (out, false),
            },
            s => (8, s as usize),
        };
        if size < header || at.checked_add(size).is_none_or(|end| end > data.len()) {
            return (out, false);
        }
        out.push((kind, &data[at + header..at + size]));
        at += size;
    }
    (out, true)
}

/// The boxes at one level, as far as they can be read.
fn boxes(data: &[u8]) -> Vec<IsoBox<'_>> {
    walk_boxes(data).0
}

/// The top-level box types of an ISO media file, only when they tile the file exactly (a file
/// cut short, or garbage after a valid header, fails).
fn boxes_exact(data: &[u8]) -> Option<Vec<[u8; 4]>> {
    let (boxes, whole) = walk_boxes(data);
    whole.then(|| boxes.into_iter().map(|(kind, _)| kind).collect())
}

/// An EBML variable-length integer at `at`: `(value, length)`; with `keep_marker` the length
/// marker bit stays (element ids keep it, sizes drop it).
fn vint(data: &[u8], at: usize, keep_marker: bool) -> Option<(u64, usize)> {
    let first = *data.get(at)?;
    let len = first.leading_zeros() as usize + 1;
    if len > 8 {
        return None;
    }
    let mut value = if keep_marker { u64::from(first) } else { u64::from(first) & (0xFF >> len) };
    for i in 1..len {
        value = (value << 8) | u64::from(*data.get(at + i)?);
    }
    Some((value, len))
}

/// The EBML elements at one level: `(id, body)`; `None` when one overruns its parent. An
/// unknown-size element (all size bits set) runs to the end.
fn ebml(data: &[u8]) -> Option<Vec<(u64, &[u8])>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let (id, id_len) = vint(data, at, true)?;
        let (size, size_len) = vint(data, at + id_len, false)?;
        let start = at + id_len + size_len;
        let unknown = size == (1u64 << (7 * size_len)) - 1;
        let end = if unknown { data.len() } else { start.checked_add(usize::try_from(size).ok()?)? };
        if end > data.len() {
            return None;
        }
        out.push((id, &data[start..end]));
        at = end;
    }
    Some(out)
}

/// Whether a file's inside matches what its first bytes claim: images decode, ISO media files
/// (HEIC, MP4, MOV) are made of whole boxes with the ones they need, WebM has its EBML header
/// and a segment with tracks, GLB its declared length and JSON chunk, USDZ a whole ZIP with a
/// USD file first. The reason when it does not.
pub fn verify(mime: &str, bytes: &[u8]) -> Result<(), &'static str> {
    match mime {
        "image/png" | "image/jpeg" | "image/gif" | "image/webp" => {
            image::load_from_memory(bytes).map(|_| ()).map_err(|_| "its picture data is damaged or cut short")
        }
        "image/heic" => {
            let kinds = boxes_exact(bytes).ok_or("its boxes do not add up (cut short or damaged)")?;
            let has = |k: &[u8; 4]| kinds.contains(k);
            if kinds.first() == Some(b"ftyp") && has(b"meta") && has(b"mdat") {
                Ok(())
            } else {
                Err("it has no image data (meta and mdat boxes)")
            }
        }
        "video/mp4" | "video/quicktime" => {
            let kinds = boxes_exact(bytes).ok_or("its boxes do not add up (cut short or damaged)")?;
            let has = |k: &[u8; 4]| kinds.contains(k);
            if has(b"moov") && (has(b"mdat") || has(b"moof")) {
                Ok(())
            } else {
                Err("it has no movie header and media data (moov and mdat boxes)")
            }
        }
        "video/webm" => {
            let top = ebml(bytes).ok_or("its elements do not add up (cut short or damaged)")?;
            let header = top.first().filter(|(id, _)| *id == 0x1A45_DFA3).ok_or("it has no EBML header")?;
            let doc_type = ebml(header.1)
                .and_then(|h| h.into_iter().find(|(id, _)| *id == 0x4282))
                .map(|(_, v)| v.to_vec())
                .ok_or("its header names no document type")?;
            if doc_type != b"webm" && doc_type != b"matroska" {
                return Err("it is not a WebM or Matroska file");
            }
            let segment = top.iter().find(|(id, _)| *id == 0x1853_8067).ok_or("it has no segment (no video inside)")?;
            let children = ebml(segment.1).ok_or("its segment is cut short or damaged")?;
            if children.iter().any(|(id, _)| *id == 0x1654_AE6B) { Ok(()) } else { Err("its segment has no tracks") }
        }
        "model/gltf-binary" => {
            let le32 = |at: usize| bytes.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
            if le32(4) != Some(2) {
                return Err("it is not a glTF 2.0 binary");
            }
            if le32(8).map(|n| n as usize) != Some(bytes.len()) {
                return Err("its declared length differs from the file's (cut short or padded)");
            }
            let chunk = le32(12).ok_or("it has no JSON chunk")? as usize;
            if le32(16) != Some(0x4E4F_534A) {
                return Err("it has no JSON chunk");
            }
            let json = bytes.get(20..20usize.saturating_add(chunk)).ok_or("its JSON chunk is cut short")?;
            match serde_json::from_slice::<serde_json::Value>(json) {
                Ok(v) if v.get("asset").is_some() => Ok(()),
                _ => Err("its JSON chunk is not a glTF description"),
            }
        }
        "model/vnd.usdz+zip" => {
            let tail = bytes.len().saturating_sub(22 + 65_535);
            let has_end = bytes[tail..].windows(4).any(|w| w == b"PK\x05\x06");
            let name_len = bytes.get(26..28).map_or(0, |b| usize::from(u16::from_le_bytes([b[0], b[1]])));
            let name = bytes.get(30..30 + name_len).unwrap_or_default();
            let usd = [&b".usd"[..], b".usda", b".usdc"].iter().any(|e| name.ends_with(e));
            match (has_end, usd) {
                (false, _) => Err("its ZIP archive is cut short (no central directory)"),
                (true, false) => Err("its first file is not a USD scene"),
                (true, true) => Ok(()),
            }
        }
        _ => Ok(()),
    }
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
pub(crate) mod tests {
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

    /// A minimal GLB: header and a JSON chunk.
    pub fn tiny_glb() -> Vec<u8> {
        let json = br#"{"asset":{"version":"2.0"}}"#;
        let mut chunk = json.to_vec();
        chunk.resize(json.len().div_ceil(4) * 4, b' ');
        let mut out = b"glTF".to_vec();
        out.extend(2u32.to_le_bytes());
        out.extend(((20 + chunk.len()) as u32).to_le_bytes());
        out.extend((chunk.len() as u32).to_le_bytes());
        out.extend(0x4E4F_534Au32.to_le_bytes());
        out.extend(chunk);
        out
    }

    /// A minimal WebM: EBML header with its doc type, and a segment with an (empty) tracks element.
    fn tiny_webm() -> Vec<u8> {
        let mut out = vec![0x1A, 0x45, 0xDF, 0xA3, 0x87, 0x42, 0x82, 0x84];
        out.extend(b"webm");
        out.extend([0x18, 0x53, 0x80, 0x67, 0x85, 0x16, 0x54, 0xAE, 0x6B, 0x80]);
        out
    }

    #[test]
    fn files_whose_inside_does_not_match_their_magic_are_refused() {
        let mut mp4 = tiny_mp4(3, 64, 64);
        mp4.extend(b"\0\0\0\x0cmdat\0\0\0\0");
        assert_eq!(verify("video/mp4", &mp4), Ok(()));
        assert!(verify("video/mp4", &tiny_mp4(3, 64, 64)).is_err(), "no media data");
        assert!(verify("video/mp4", &mp4[..mp4.len() - 3]).is_err(), "cut short");
        let heic = b"\0\0\0\x10ftypheic\0\0\0\0\0\0\0\x08meta\0\0\0\x08mdat";
        assert_eq!(verify("image/heic", heic), Ok(()));
        let mut fake_heic = b"\0\0\0\x18ftypheic".to_vec();
        fake_heic.extend([0x5A; 300]);
        assert!(verify("image/heic", &fake_heic).is_err());
        assert_eq!(verify("video/webm", &tiny_webm()), Ok(()));
        let mut fake_webm = b"\x1A\x45\xDF\xA3".to_vec();
        fake_webm.extend([0xA5; 300]);
        assert!(verify("video/webm", &fake_webm).is_err());
        assert_eq!(verify("model/gltf-binary", &tiny_glb()), Ok(()));
        assert!(verify("model/gltf-binary", b"glTF\x02\0\0\0\x0c\0\0\0").is_err(), "no JSON chunk");
        assert!(verify("model/vnd.usdz+zip", b"PK\x03\x04garbage").is_err());
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
